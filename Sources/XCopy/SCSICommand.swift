/// Which way a command's data phase goes, and how much.
public enum DataDirection: Sendable {
    /// No data phase (TEST UNIT READY).
    case none
    /// Data-in: the device returns up to `length` bytes (the allocation length).
    case fromDevice(length: Int)
    /// Data-out: these bytes go to the device (a parameter list).
    case toDevice([UInt8])
}

/// One SCSI command: the CDB and its data phase. `name` is what errors and logs call
/// it ("EXTENDED COPY(LID1)"), so a failure names the command that failed.
public struct SCSICommand: Sendable {
    public var name: String
    public var cdb: [UInt8]
    public var direction: DataDirection

    public init(name: String, cdb: [UInt8], direction: DataDirection) {
        self.name = name
        self.cdb = cdb
        self.direction = direction
    }
}

/// A command that ended in GOOD status.
public struct SCSIResponse: Sendable {
    /// The bytes actually transferred from the device: the allocation length minus
    /// the residual count. Empty for data-out and no-data commands.
    public var data: [UInt8]

    public init(data: [UInt8] = []) {
        self.data = data
    }
}

/// Something that executes SCSI commands: SG_IO on a Linux device (`SGIODevice`) or a
/// test double replaying recorded answers.
///
/// A conforming type returns normally only for GOOD status (or a status the device
/// documents as success, such as RECOVERED ERROR) and throws everything else as a
/// typed `SCSIError`. Calls block; callers keep them off the concurrency pool.
public protocol SCSITransport: Sendable {
    func execute(_ command: SCSICommand) throws(SCSIError) -> SCSIResponse
}
