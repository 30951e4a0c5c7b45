import XCopy

/// What `probe` reports about a SCSI logical unit: its identity, its designators and
/// its third-party copy capabilities, asked through SG_IO.
public struct SCSIProbe: Sendable {
    public var passThroughNode: String
    public var partitionOffset: UInt64
    public var inquiry: StandardInquiry?
    public var designators: [Designator] = []
    public var preferredDesignator: Designator?
    public var capacity: Capacity?
    public var copyParameters: CopyOperatingParameters?
    /// The first command that failed and what the device answered.
    public var problems: [String] = []

    /// Asks the logical unit behind `topology`; each failed command is recorded and
    /// the rest are still tried.
    public static func probe(_ topology: BlockTopology) -> SCSIProbe {
        var probe = SCSIProbe(passThroughNode: topology.passThroughNode, partitionOffset: topology.partitionOffset)
        let device: SCSIDevice
        do {
            device = SCSIDevice(transport: try SGIODevice(path: topology.passThroughNode, writable: false, timeout: .seconds(10)))
        } catch {
            probe.problems.append("cannot open \(topology.passThroughNode): \(error)")
            return probe
        }
        do { probe.inquiry = try device.inquiry() } catch { probe.problems.append("\(error)") }
        do {
            probe.designators = try device.deviceIdentification()
            probe.preferredDesignator = probe.designators.preferredLogicalUnit
        } catch { probe.problems.append("\(error)") }
        do { probe.capacity = try device.readCapacity16() } catch { probe.problems.append("\(error)") }
        if probe.inquiry?.threePC == true {
            do { probe.copyParameters = try device.receiveCopyOperatingParameters() } catch { probe.problems.append("\(error)") }
        }
        return probe
    }
}
