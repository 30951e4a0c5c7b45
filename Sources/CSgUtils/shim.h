#ifndef SSC_CSGUTILS_SHIM_H
#define SSC_CSGUTILS_SHIM_H
// libsgutils2's SCSI pass-through layer (sg_pt): construct_scsi_pt_obj, set_scsi_pt_cdb,
// do_scsi_pt and the sense/residual accessors. Debian ships no pkg-config file.
#include <stdbool.h>
#include <stdint.h>
#include <scsi/sg_pt.h>
#endif
