import Backends

/// Backend selection by device profiles (DESIGN.md "Backend selection and fallback"):
/// the most specific matching profile for each end; with the same profile on both, its
/// order; with two different ones, only the backends both list, in the source profile's
/// order. Tunables come from the source profile (the xcopy command goes to the source
/// unit), except that O_DIRECT is used only where both profiles allow it.
public struct ProfileSelector: BackendSelecting {
    public let store: ProfileStore

    public init(store: ProfileStore) {
        self.store = store
    }

    /// The selection with its details, or the load errors of the profiles.
    public func select(source: DeviceIdentity, destination: DeviceIdentity) throws(ProfileLoadErrors) -> ProfileSelection {
        ProfileSelection(set: try store.current(), source: source, destination: destination)
    }

    /// For the engine. A profile set that cannot be loaded leaves nothing to select
    /// with: the plan is empty and says why (the CLI loads the set before copying, so
    /// it reports the errors itself first).
    public func plan(source: DeviceIdentity, destination: DeviceIdentity) -> BackendPlan {
        do throws(ProfileLoadErrors) {
            return try select(source: source, destination: destination).plan
        } catch {
            return BackendPlan(
                order: [],
                excluded: BackendName.allCases.map { BackendSkip(backend: $0, reason: .excluded, message: "no valid profiles: \(error)") },
                explanation: ["no valid profiles: \(error)"])
        }
    }
}

/// The profiles of a pair and the plan made from them.
public struct ProfileSelection: Sendable {
    public var source: ProfileChoice
    public var destination: ProfileChoice
    public var plan: BackendPlan

    public init(set: ProfileSet, source sourceIdentity: DeviceIdentity, destination destinationIdentity: DeviceIdentity) {
        let source = set.choose(for: sourceIdentity)
        let destination = set.choose(for: destinationIdentity)
        self.source = source
        self.destination = destination
        let sourceProfile = source.profile, destinationProfile = destination.profile
        let same = sourceProfile.name == destinationProfile.name
        let order = same ? sourceProfile.order : sourceProfile.order.filter(destinationProfile.order.contains)
        var excluded: [BackendSkip] = []
        for name in BackendName.allCases where !order.contains(name) {
            let lists = { (p: Profile) in p.order.contains(name) }
            let who: String
            switch (lists(sourceProfile), lists(destinationProfile)) {
            case (false, false) where same: who = "profile \(sourceProfile.name) does not list it"
            case (false, false): who = "neither profile \(sourceProfile.name) nor \(destinationProfile.name) lists it"
            case (false, true): who = "the source's profile \(sourceProfile.name) does not list it"
            default: who = "the destination's profile \(destinationProfile.name) does not list it"
            }
            excluded.append(BackendSkip(backend: name, reason: .excluded, message: "not tried: \(who)"))
        }
        var tunables = sourceProfile.tunables.applied()
        let destinationTunables = destinationProfile.tunables.applied()
        if !destinationTunables.aio.direct { tunables.aio.direct = false }
        let concurrency = tunables.xcopy.concurrency
        plan = BackendPlan(
            order: order, excluded: excluded, tunables: tunables, sourceProfile: sourceProfile.name,
            destinationProfile: destinationProfile.name,
            explain: {
                var explanation = [
                    "source \(sourceIdentity.path): profile \(sourceProfile.name) (\(source.reason))",
                    "destination \(destinationIdentity.path): profile \(destinationProfile.name) (\(destination.reason))",
                ]
                let list = order.map(\.rawValue).list(separator: ", ")
                explanation.append(
                    same
                        ? "order of \(sourceProfile.name): \(list)"
                        : "profiles differ: backends both list, in \(sourceProfile.name)'s order: \(list)")
                if concurrency > 1 {
                    explanation.append(
                        "xcopy: up to \(concurrency) EXTENDED COPY commands at once (profile \(sourceProfile.name))")
                }
                return explanation
            })
    }
}
