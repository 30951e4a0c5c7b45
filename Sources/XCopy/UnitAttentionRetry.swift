/// Sends a command again when it ends in UNIT ATTENTION.
///
/// A device reports a unit attention condition (power on, reset, "reported luns data
/// has changed", "capacity data has changed" ...) by failing the next command with
/// CHECK CONDITION, sense key UNIT ATTENTION, *without running it* (SAM-5, unit attention conditions), and
/// clears the condition for that I_T nexus once reported. So re-sending is safe even
/// for EXTENDED COPY, and it is what real initiators do: LIO answers the first command
/// to a freshly mapped LUN this way (device-lab notes). Several conditions may be
/// queued, hence a small budget rather than a single retry.
public struct UnitAttentionRetryingTransport: SCSITransport {
    public let base: any SCSITransport
    /// How many times a command is sent again after a UNIT ATTENTION (so at most
    /// `retries + 1` attempts); the last UNIT ATTENTION is thrown.
    public let retries: Int

    public init(_ base: any SCSITransport, retries: Int = 3) {
        self.base = base
        self.retries = retries
    }

    public func execute(_ command: SCSICommand) throws(SCSIError) -> SCSIResponse {
        try Self.run(retries: retries) { () throws(SCSIError) -> SCSIResponse in
            try base.execute(command)
        }
    }

    /// Runs `attempt`, again while it throws UNIT ATTENTION and the budget lasts.
    static func run(retries: Int, _ attempt: () throws(SCSIError) -> SCSIResponse) throws(SCSIError) -> SCSIResponse {
        var remaining = max(0, retries)
        while true {
            do throws(SCSIError) {
                return try attempt()
            } catch {
                guard error.isUnitAttention, remaining > 0 else { throw error }
                remaining -= 1
            }
        }
    }
}
