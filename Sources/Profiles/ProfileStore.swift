import Synchronization

/// The profile set in force, loaded the first time selection needs it (never at start-up
/// and never per chunk) and replaceable as a whole: a reload whose files have errors
/// reports them and leaves the previous valid set in force.
public final class ProfileStore: Sendable {
    public typealias Loader = @Sendable () throws(ProfileLoadErrors) -> ProfileSet

    private enum State {
        case notLoaded
        case loaded(ProfileSet)
        case failed(ProfileLoadErrors)
    }

    private let loader: Loader
    private let state = Mutex<State>(.notLoaded)

    /// `loader` runs on first use and on each `reload()`.
    public init(loader: @escaping Loader) {
        self.loader = loader
    }

    /// `builtIn`, /etc/ssc-agent/profiles.d, then `overrideDirectory`.
    public convenience init(builtIn: [Profile], overrideDirectory: String?) {
        self.init { () throws(ProfileLoadErrors) -> ProfileSet in
            try ProfileSet.standard(builtIn: builtIn, overrideDirectory: overrideDirectory)
        }
    }

    /// The set in force, loading it on first use. A first load that fails keeps failing
    /// with the same errors until a `reload()` succeeds.
    public func current() throws(ProfileLoadErrors) -> ProfileSet {
        let result: Result<ProfileSet, ProfileLoadErrors> = state.withLock { state in
            switch state {
            case .loaded(let set): return .success(set)
            case .failed(let errors): return .failure(errors)
            case .notLoaded:
                do throws(ProfileLoadErrors) {
                    let set = try loader()
                    state = .loaded(set)
                    return .success(set)
                } catch {
                    state = .failed(error)
                    return .failure(error)
                }
            }
        }
        return try result.get()
    }

    /// Loads the sources again. On success the new set replaces the old one; on
    /// failure the errors are thrown and the set in force stays as it was (if the
    /// first load had failed too, its errors are replaced by the new ones).
    @discardableResult
    public func reload() throws(ProfileLoadErrors) -> ProfileSet {
        let result: Result<ProfileSet, ProfileLoadErrors>
        do throws(ProfileLoadErrors) {
            result = .success(try loader())
        } catch {
            result = .failure(error)
        }
        state.withLock { state in
            switch (result, state) {
            case (.success(let set), _): state = .loaded(set)
            case (.failure, .loaded): break
            case (.failure(let errors), _): state = .failed(errors)
            }
        }
        return try result.get()
    }
}
