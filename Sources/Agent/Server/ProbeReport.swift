import Backends
import JSON
import XCopy

/// The JSON shape of probe results, shared by `ssc-agent probe --json` and the
/// protocol's `device.probe`.
public enum ProbeReport {
    public static func json(_ p: FileProbe) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("path", .string(p.path)), ("type", .string(p.type.rawValue)),
            ("fstype", p.fstype.map(JSONValue.string) ?? .null),
            ("mount_point", p.mountPoint.map(JSONValue.string) ?? .null),
            ("mount_source", p.mountSource.map(JSONValue.string) ?? .null),
            ("device", .string(p.device)), ("size", .unsigned(p.size)),
            ("st_blksize", .integer(Int64(p.stBlksize))), ("fs_block_size", .unsigned(p.fsBlockSize)),
            ("dio_mem_align", .integer(Int64(p.dioMemAlign))), ("dio_offset_align", .integer(Int64(p.dioOffsetAlign))),
        ]
        if let l = p.logicalBlockSize { members.append(("logical_block_size", .integer(Int64(l)))) }
        if let b = p.physicalBlockSize { members.append(("physical_block_size", .integer(Int64(b)))) }
        if let t = p.topology {
            members.append(("disk", .string(t.disk)))
            members.append(("partition_offset", .unsigned(t.partitionOffset)))
        }
        if let scsi = p.scsi { members.append(("scsi", json(scsi))) }
        return .object(members)
    }

    public static func json(_ s: SCSIProbe) -> JSONValue {
        var members: [(String, JSONValue)] = [("pass_through", .string(s.passThroughNode))]
        if let i = s.inquiry {
            members += [
                ("vendor", .string(i.vendor)), ("product", .string(i.product)), ("revision", .string(i.revision)),
                ("peripheral_device_type", .integer(Int64(i.peripheralDeviceType))), ("three_pc", .bool(i.threePC)),
            ]
        }
        members.append(("designators", .array(s.designators.map { .string($0.description) })))
        members.append(("preferred_designator", s.preferredDesignator.map { .string($0.description) } ?? .null))
        if let c = s.capacity {
            members.append(("block_size", .unsigned(UInt64(c.blockSize))))
            members.append(("blocks", .unsigned(c.blocks)))
        }
        if let p = s.copyParameters {
            members.append((
                "copy_operating_parameters",
                .object([
                    ("max_target_descriptors", .unsigned(UInt64(p.maxTargetDescriptors))),
                    ("max_segment_descriptors", .unsigned(UInt64(p.maxSegmentDescriptors))),
                    ("max_descriptor_list_length", .unsigned(UInt64(p.maxDescriptorListLength))),
                    ("max_segment_length", .unsigned(UInt64(p.maxSegmentLength))),
                    ("max_concurrent_copies", .unsigned(UInt64(p.maxConcurrentCopies))),
                    ("held_data_limit", .unsigned(UInt64(p.heldDataLimit))),
                    ("data_segment_granularity", .unsigned(UInt64(p.dataSegmentGranularity))),
                    ("implemented_descriptor_types", .array(p.implementedDescriptorTypes.map { .unsigned(UInt64($0)) })),
                ])
            ))
        }
        members.append(("problems", .array(s.problems.map { .string($0) })))
        return .object(members)
    }

    public static func json(_ v: BackendVerdict) -> JSONValue {
        .object([
            ("name", .string(v.name.rawValue)), ("verdict", .string(v.verdict)), ("reason", .string(v.reason)),
            ("class", v.declineClass.map { .string($0.rawValue) } ?? .null), ("remembered", .bool(v.remembered)),
        ])
    }
}
