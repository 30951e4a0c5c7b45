import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Remembers (backend, source device, destination device) triples whose backend said
/// "not supported", so they are not asked again until the entry expires. "Cannot serve"
/// and "denied" are never remembered: they belong to one request.
public final class NegativeCache: Sendable {
    public struct Key: Hashable, Sendable {
        public var backend: BackendName
        public var sourceDevice: UInt64
        public var destinationDevice: UInt64
    }

    public struct Entry: Sendable {
        public var reason: String
        public var expires: ContinuousClock.Instant
    }

    /// The table in a struct of its own: destroying a `Mutex` of a generic dictionary
    /// makes the runtime build `[Key: Entry]`'s metadata from its mangled name, which
    /// scans every protocol conformance record of the binary (for `Key: Hashable`) at
    /// the end of each command-line copy.
    private struct Table {
        var entries: [Key: Entry] = [:]
    }

    private let table = Mutex(Table())
    public let ttl: Duration

    public init(ttl: Duration = .seconds(180)) {
        self.ttl = ttl
    }

    public func remember(_ key: Key, reason: String) {
        let expires = ContinuousClock.now + ttl
        table.withLock { $0.entries[key] = Entry(reason: reason, expires: expires) }
    }

    /// The remembered reason, if the entry is still fresh.
    public func lookup(_ key: Key) -> String? {
        let now = ContinuousClock.now
        return table.withLock { table in
            guard let entry = table.entries[key] else { return nil }
            if entry.expires <= now {
                table.entries[key] = nil
                return nil
            }
            return entry.reason
        }
    }

    public var snapshot: [Key: Entry] {
        let now = ContinuousClock.now
        return table.withLock { $0.entries.filter { $0.value.expires > now } }
    }
}
