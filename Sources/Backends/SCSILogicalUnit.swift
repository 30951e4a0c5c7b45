import Glibc
import XCopy

/// One end of an XCOPY: the logical unit behind a block device, its pass-through
/// transport and what it reported (INQUIRY, the preferred VPD 0x83 designator,
/// READ CAPACITY(16)).
struct SCSILogicalUnit {
    let file: CopyFile
    let topology: BlockTopology
    let device: SCSIDevice
    let inquiry: StandardInquiry
    let designator: Designator
    let capacity: Capacity

    /// The LBA of a byte offset within the block device (a partition adds its start).
    func lba(ofByte offset: UInt64) -> UInt64 {
        (topology.partitionOffset + offset) / UInt64(capacity.blockSize)
    }

    /// Finds the unit's pass-through transport and asks the unit who it is. Anything the unit
    /// answers that rules out third-party copy is a decline: no byte has moved. A
    /// `capacity` already asked (a SCSI generic node's, during validation) is not asked
    /// again.
    static func identify(_ file: CopyFile, role: String, timeout: Duration, capacity knownCapacity: Capacity? = nil)
        throws(BackendError) -> SCSILogicalUnit
    {
        guard let topology = file.topology else {
            throw .declined(Decline(.notSupported, "the \(role) \(file.name) is neither a block device nor a SCSI generic node"))
        }
        guard topology.isSCSI else {
            throw .declined(Decline(.notSupported, "the \(role) \(file.name) is not a SCSI logical unit (\(topology.disk))"))
        }
        // A whole disk takes SG_IO on the copy's own descriptor: no second open (the sg
        // driver allocates a reserve buffer at each), no sg driver needed, no node name
        // to trust. A partition's descriptor takes SG_IO only with CAP_SYS_RAWIO, and
        // addresses the whole unit anyway: its disk's pass-through node is opened.
        let transport: SGIODevice
        let what: String
        if file.kind == .block && !topology.isPartition {
            transport = SGIODevice(descriptor: file.descriptor, name: file.name, timeout: timeout)
            what = file.name
        } else {
            let node = topology.passThroughNode
            do {
                transport = try SGIODevice(path: node, writable: true, timeout: timeout)
            } catch {
                throw .declined(Decline(.notSupported, "cannot open \(node) for SCSI pass-through: \(error)"))
            }
            what = "\(file.name) (\(node))"
        }
        let device = SCSIDevice(transport: transport)
        do {
            let inquiry = try device.inquiry()
            guard inquiry.threePC else {
                throw BackendError.declined(
                    Decline(.notSupported, "\(what) reports 3PC=0 in INQUIRY (\(inquiry.vendor) \(inquiry.product)): no third-party copy"))
            }
            let designators = try device.deviceIdentification()
            guard let designator = designators.preferredLogicalUnit else {
                throw BackendError.declined(
                    Decline(.notSupported, "\(what) reports no NAA, EUI-64 or T10 vendor id designator for its logical unit in VPD page 0x83"))
            }
            let capacity = try knownCapacity ?? device.readCapacity16()
            return SCSILogicalUnit(
                file: file, topology: topology, device: device, inquiry: inquiry, designator: designator, capacity: capacity)
        } catch let error as BackendError {
            throw error
        } catch let error as SCSIError {
            // INQUIRY, VPD 0x83 and READ CAPACITY(16) are mandatory for a disk: a unit
            // that fails them (or a node that is no SCSI device) cannot take part.
            throw .declined(Decline(.notSupported, "\(what): \(error)"))
        } catch {
            throw .declined(Decline(.notSupported, "\(what): \(error)"))
        }
    }
}
