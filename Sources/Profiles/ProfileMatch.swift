import Backends

/// A profile's `[match]` rules. Every rule given must hold; a profile with none matches
/// every device (the generic last resort). The more rules, the more specific.
public struct ProfileMatch: Sendable, Equatable {
    /// Filesystem types (mountinfo's names: "xfs", "nfs4", "cifs") a regular file's
    /// filesystem must be one of. Never matches a block device copied as such.
    public var fstypes: [String]?
    /// "regular" or "block": what the path itself must be.
    public var fileType: FileKind?
    /// Anchored regular expressions on the leaf disks' SCSI INQUIRY vendor, product and
    /// revision (the sysfs vendor, model and rev strings when the INQUIRY data is not
    /// cached).
    public var vendor: AnchoredPattern?
    public var product: AnchoredPattern?
    public var revision: AnchoredPattern?
    /// How the leaf disks are attached ("scsi", "nvme", "virtio", "loop", ...).
    public var transports: [String]?

    public init(
        fstypes: [String]? = nil, fileType: FileKind? = nil, vendor: AnchoredPattern? = nil, product: AnchoredPattern? = nil,
        revision: AnchoredPattern? = nil, transports: [String]? = nil
    ) {
        self.fstypes = fstypes
        self.fileType = fileType
        self.vendor = vendor
        self.product = product
        self.revision = revision
        self.transports = transports
    }

    /// The transports a rule may name (`BlockDeviceNode.transport`).
    public static let knownTransports: Set<String> = [
        "scsi", "nvme", "virtio", "loop", "device-mapper", "md", "mmc", "nbd", "other",
    ]

    /// How many rules are given: the most specific matching profile wins.
    public var specificity: Int {
        var count = 0
        if fstypes != nil { count += 1 }
        if fileType != nil { count += 1 }
        if vendor != nil { count += 1 }
        if product != nil { count += 1 }
        if revision != nil { count += 1 }
        if transports != nil { count += 1 }
        return count
    }

    /// Whether `identity` (whose leaf disks are `leaves`) satisfies every rule: what
    /// `evaluate` decides, without putting it into words. Every profile is tried for
    /// both ends of every copy; only the chosen one's reasons, and the others'
    /// mismatches when someone asks, are worded (`ProfileChoice`).
    public func matches(_ identity: DeviceIdentity, leaves: [BlockDeviceNode]) -> Bool {
        if let fileType, identity.fileType != fileType { return false }
        if let fstypes {
            guard identity.fileType == .regular, let fstype = identity.fstype, fstypes.contains(fstype) else { return false }
        }
        if let transports {
            guard !leaves.isEmpty, leaves.allSatisfy({ transports.contains($0.transport) }) else { return false }
        }
        return Self.holds(vendor, leaves, { $0.scsi?.vendor ?? $0.vendor })
            && Self.holds(product, leaves, { $0.scsi?.product ?? $0.model })
            && Self.holds(revision, leaves, { $0.scsi?.revision ?? $0.revision })
    }

    /// One INQUIRY-string rule as `check` decides it.
    private static func holds(_ pattern: AnchoredPattern?, _ leaves: [BlockDeviceNode], _ value: (BlockDeviceNode) -> String?) -> Bool {
        guard let pattern else { return true }
        return !leaves.isEmpty && leaves.allSatisfy { value($0).map(pattern.matches) ?? false }
    }

    /// Whether `identity` satisfies every rule; if not, the first rule that fails.
    public func evaluate(_ identity: DeviceIdentity) -> MatchResult {
        var reasons: [String] = []
        if let fileType {
            guard identity.fileType == fileType else { return .mismatch("file_type \(fileType.rawValue), but it is \(identity.fileType.rawValue)") }
            reasons.append("file_type \(fileType.rawValue)")
        }
        if let fstypes {
            guard identity.fileType == .regular, let fstype = identity.fstype, fstypes.contains(fstype) else {
                let what = identity.fileType == .regular ? "its filesystem is \(identity.fstype ?? "unknown")" : "it is not a regular file"
                return .mismatch("fstype \(fstypes.list(separator: "|")), but \(what)")
            }
            reasons.append("fstype \(fstype)")
        }
        let leaves = identity.leaves
        if let transports {
            guard !leaves.isEmpty, leaves.allSatisfy({ transports.contains($0.transport) }) else {
                let seen = leaves.isEmpty ? "no block device" : leaves.map(\.transport).list(separator: ", ")
                return .mismatch("transport \(transports.list(separator: "|")), but \(seen)")
            }
            reasons.append("transport \(leaves[0].transport)")
        }
        // Three calls, not a loop over an array of (key, pattern, closure) tuples: that
        // array's runtime type set-up cost more than the matching, on every copy.
        if let why = Self.check("vendor", vendor, leaves, { $0.scsi?.vendor ?? $0.vendor }, &reasons) { return .mismatch(why) }
        if let why = Self.check("product", product, leaves, { $0.scsi?.product ?? $0.model }, &reasons) { return .mismatch(why) }
        if let why = Self.check("revision", revision, leaves, { $0.scsi?.revision ?? $0.revision }, &reasons) { return .mismatch(why) }
        return .match(reasons)
    }

    /// One INQUIRY-string rule: nil when it holds for every leaf disk (or is not
    /// given), else why not.
    private static func check(
        _ key: String, _ pattern: AnchoredPattern?, _ leaves: [BlockDeviceNode], _ value: (BlockDeviceNode) -> String?,
        _ reasons: inout [String]
    ) -> String? {
        guard let pattern else { return nil }
        let values = leaves.map(value)
        guard !values.isEmpty, values.allSatisfy({ $0.map(pattern.matches) ?? false }) else {
            let seen = values.isEmpty ? "no disk" : values.map { $0.map { "'\($0)'" } ?? "none" }.list(separator: ", ")
            return "\(key) /\(pattern.source)/, but the disk reports \(seen)"
        }
        reasons.append("\(key) '\(values[0] ?? "")' ~ /\(pattern.source)/")
        return nil
    }

    /// The rules as one line, for listings.
    public var summary: String {
        var parts: [String] = []
        if let fileType { parts.append("file_type=\(fileType.rawValue)") }
        if let fstypes { parts.append("fstype=\(fstypes.list(separator: "|"))") }
        if let transports { parts.append("transport=\(transports.list(separator: "|"))") }
        if let vendor { parts.append("vendor=/\(vendor.source)/") }
        if let product { parts.append("product=/\(product.source)/") }
        if let revision { parts.append("revision=/\(revision.source)/") }
        return parts.isEmpty ? "any device" : parts.list(separator: " ")
    }
}

public enum MatchResult: Sendable, Equatable {
    /// Every rule held; what each rule matched.
    case match([String])
    /// The first rule that did not hold.
    case mismatch(String)

    var reasons: [String] {
        if case .match(let reasons) = self { return reasons }
        return []
    }

    var mismatch: String? {
        if case .mismatch(let why) = self { return why }
        return nil
    }
}
