import Backends
import Synchronization

/// A profile's `[match]` rules. Every rule given must hold; a profile with none matches
/// every device (the generic last resort). The more rules, the more specific.
public struct ProfileMatch: Sendable {
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
        [fstypes != nil, fileType != nil, vendor != nil, product != nil, revision != nil, transports != nil].filter { $0 }.count
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
                return .mismatch("fstype \(fstypes.joined(separator: "|")), but \(what)")
            }
            reasons.append("fstype \(fstype)")
        }
        let leaves = identity.leaves
        if let transports {
            guard !leaves.isEmpty, leaves.allSatisfy({ transports.contains($0.transport) }) else {
                let seen = leaves.isEmpty ? "no block device" : leaves.map(\.transport).joined(separator: ", ")
                return .mismatch("transport \(transports.joined(separator: "|")), but \(seen)")
            }
            reasons.append("transport \(leaves[0].transport)")
        }
        let fields: [(String, AnchoredPattern?, (BlockDeviceNode) -> String?)] = [
            ("vendor", vendor, { $0.scsi?.vendor ?? $0.vendor }),
            ("product", product, { $0.scsi?.product ?? $0.model }),
            ("revision", revision, { $0.scsi?.revision ?? $0.revision }),
        ]
        for (key, pattern, value) in fields {
            guard let pattern else { continue }
            let values = leaves.map(value)
            guard !values.isEmpty, values.allSatisfy({ $0.map(pattern.matches) ?? false }) else {
                let seen = values.isEmpty ? "no disk" : values.map { $0.map { "'\($0)'" } ?? "none" }.joined(separator: ", ")
                return .mismatch("\(key) /\(pattern.source)/, but the disk reports \(seen)")
            }
            reasons.append("\(key) '\(values[0] ?? "")' ~ /\(pattern.source)/")
        }
        return .match(reasons)
    }

    /// The rules as one line, for listings.
    public var summary: String {
        var parts: [String] = []
        if let fileType { parts.append("file_type=\(fileType.rawValue)") }
        if let fstypes { parts.append("fstype=\(fstypes.joined(separator: "|"))") }
        if let transports { parts.append("transport=\(transports.joined(separator: "|"))") }
        if let vendor { parts.append("vendor=/\(vendor.source)/") }
        if let product { parts.append("product=/\(product.source)/") }
        if let revision { parts.append("revision=/\(revision.source)/") }
        return parts.isEmpty ? "any device" : parts.joined(separator: " ")
    }
}

public enum MatchResult: Sendable, Equatable {
    /// Every rule held; what each rule matched.
    case match([String])
    /// The first rule that did not hold.
    case mismatch(String)
}

/// A regular expression that must match a whole string (as if between ^ and $).
/// INQUIRY fields are space-padded; they are matched trimmed.
///
/// Compiling a Swift Regex costs far more than matching one, and a copy of two files
/// never needs the patterns of the block-device profiles: a pattern read from an
/// override file is compiled at once (a bad one is reported as the file's error);
/// a built-in one, which the test suite compiles, on first use.
public final class AnchoredPattern: @unchecked Sendable {
    // Regex is not declared Sendable; every access goes through the mutex.
    public let source: String
    private let compiled: Mutex<Regex<AnyRegexOutput>?>

    /// Compiles `source` now (throwing the compiler's message when it is not a valid
    /// regular expression) or, with `compileNow` false, on the first match.
    public init(_ source: String, compileNow: Bool = true) throws {
        self.source = source
        compiled = Mutex(compileNow ? try Regex(source) : nil)
    }

    /// Compiles the pattern if it was not yet, throwing what the compiler says.
    public func validate() throws {
        let source = self.source
        let failure: (any Error)? = compiled.withLock { regex in
            guard regex == nil else { return nil }
            do {
                regex = try Regex(source)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    public func matches(_ value: String) -> Bool {
        compiled.withLock { regex in
            if regex == nil { regex = try? Regex(source) }
            guard let regex else { return false }
            return (try? regex.wholeMatch(in: value)) != nil
        }
    }
}
