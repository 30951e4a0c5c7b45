import Logging
import Backends
import Glibc
import JSON
import Profiles

/// copy.start, copy.clone and device.probe.
extension AgentService {
    struct CopyArguments: Sendable {
        var source: FileRef
        var destination: FileRef
        var request: CopyRequest
        var synchronous: Bool
        var key: String?
    }

    func copyArguments(_ p: Params) throws(RPCError) -> CopyArguments {
        var request = CopyRequest(
            srcOffset: try p.uint64("src_offset", default: 0), dstOffset: try p.uint64("dst_offset", default: 0),
            count: try p.uint64("count", default: 0), truncate: try p.bool("truncate", default: false),
            guarded: try p.bool("guarded", default: false), stable: try p.bool("stable", default: false))
        // The agent always copies consecutively (front to back); the flag is accepted
        // and checked for its type only.
        _ = try p.bool("consecutive", default: true)
        if let name = try p.string("backend") {
            guard let backend = BackendName(rawValue: name) else {
                let known = BackendName.allCases.map(\.rawValue).joined(separator: ", ")
                throw RPCError.invalidParams("\(p.method): unknown backend \"\(name)\" (known: \(known))")
            }
            request.backend = backend
        }
        let key = try p.string("key")
        if let key, key.isEmpty || key.utf8.count > 1024 {
            throw RPCError.invalidParams("\(p.method): key must be 1 to 1024 bytes")
        }
        return CopyArguments(
            source: try p.requiredFileRef("src"), destination: try p.requiredFileRef("dst"), request: request,
            synchronous: try p.bool("synchronous", default: false), key: key)
    }

    private func openPair(_ arguments: CopyArguments, peer: PeerCredentials, descriptors: ReceivedDescriptors) throws(RPCError)
        -> (source: FileResolver.Resolved, destination: FileResolver.Resolved)
    {
        let source = try resolver.resolve(arguments.source, role: .source, peer: peer, descriptors: descriptors, parameter: "src")
        let destination = try resolver.resolve(
            arguments.destination, role: .destination, peer: peer, descriptors: descriptors, parameter: "dst")
        return (source, destination)
    }

    // MARK: - copy.start

    /// An asynchronous copy.start (a synchronous one is `blockingWork`).
    func start(_ p: Params, _ descriptors: ReceivedDescriptors, _ peer: PeerCredentials) async throws(RPCError) -> JSONValue {
        let arguments = try copyArguments(p)
        // The same key while its job exists answers the same job, before the cap.
        if let key = arguments.key, let existing = await store.job(forKey: key, peer: peer) {
            return .object([("job", .string(existing.id)), ("backend", existing.backend.map { JSONValue.string($0.rawValue) } ?? .null)])
        }
        try await store.checkCapacity()
        let prepared = try await requestPool.run { () throws(RPCError) -> (JobResources, CopyPlan, BackendName, BackendPlan) in
            let (source, destination) = try self.openPair(arguments, peer: peer, descriptors: descriptors)
            do throws(CopyError) {
                let (plan, backend, selection) = try self.engine.preflight(
                    source: source.file, destination: destination.file, request: arguments.request)
                let held = [source.held, destination.held].compactMap { $0 }
                return (JobResources(source: source.file, destination: destination.file, held: held), plan, backend, selection)
            } catch {
                throw RPCError(error)
            }
        }
        let (resources, plan, backend, selection) = prepared
        let (record, isNew) = try await store.register(
            key: arguments.key, peer: peer, count: plan.count, backend: backend, resources: resources)
        if isNew { run(record, resources: resources, request: arguments.request, selection: selection) }
        return .object([("job", .string(record.id)), ("backend", record.backend.map { JSONValue.string($0.rawValue) } ?? .null)])
    }

    /// Runs a registered job on the copy pool and reports its end to the job table.
    /// `selection` is the profiles' choice from the preflight: the job does not
    /// identify both ends a second time.
    private func run(_ record: JobRecord, resources: JobResources, request: CopyRequest, selection: BackendPlan) {
        let context = record.progress.context
        let id = record.id
        copyPool.submit { [engine, store, logger] in
            let outcome: JobOutcome
            if context.isCancelled {
                outcome = .cancelledBeforeStart
            } else {
                do throws(CopyFailure) {
                    outcome = .copied(
                        try engine.copy(
                            source: resources.source, destination: resources.destination, request: request, context: context,
                            selection: selection))
                } catch {
                    outcome = .failed(error)
                }
            }
            logger.debug("job ended", metadata: ["job": "\(id)"])
            Task { await store.finish(id, outcome: outcome) }
        }
    }

    /// A synchronous copy of at most `sync_max_bytes`; more is reported as short.
    func copySynchronously(_ arguments: CopyArguments, peer: PeerCredentials, descriptors: ReceivedDescriptors)
        throws(RPCError) -> JSONValue
    {
        let (source, destination) = try openPair(arguments, peer: peer, descriptors: descriptors)
        var request = arguments.request
        // The range is resolved first only when the request leaves its length open or
        // asks more than a synchronous copy moves; the copy validates it either way.
        let requested: UInt64
        if request.count > 0 && request.count <= limits.syncMaxBytes {
            requested = request.count
        } else {
            do throws(CopyError) {
                requested = try engine.validate(source: source.file, destination: destination.file, request: request).count
            } catch {
                throw RPCError(error)
            }
        }
        if requested > limits.syncMaxBytes { request.count = limits.syncMaxBytes }
        do throws(CopyFailure) {
            let outcome = try engine.copy(source: source.file, destination: destination.file, request: request)
            return .object([
                ("bytes", .unsigned(outcome.bytes)), ("short", .bool(outcome.bytes < requested)),
                ("committed", .string(outcome.committed.rawValue)), ("verifier", .string(bootID)),
                ("backend", .string(outcome.backend.rawValue)),
            ])
        } catch {
            throw RPCError(error.error)
        }
    }

    // MARK: - copy.clone

    func cloneWork(_ p: Params, _ descriptors: ReceivedDescriptors, _ peer: PeerCredentials) throws(RPCError) -> BlockingWork {
        let request = CopyRequest(
            srcOffset: try p.uint64("src_offset", default: 0), dstOffset: try p.uint64("dst_offset", default: 0),
            count: try p.uint64("count", default: 0))
        let arguments = CopyArguments(
            source: try p.requiredFileRef("src"), destination: try p.requiredFileRef("dst"), request: request, synchronous: true,
            key: nil)
        return { () throws(RPCError) -> JSONValue in
            let (source, destination) = try self.openPair(arguments, peer: peer, descriptors: descriptors)
            do throws(CopyError) {
                let outcome = try self.engine.clone(source: source.file, destination: destination.file, request: request)
                return .object([("bytes", .unsigned(outcome.bytes))])
            } catch {
                throw RPCError(error)
            }
        }
    }

    // MARK: - device.probe

    func probeWork(_ p: Params, _ descriptors: ReceivedDescriptors, _ peer: PeerCredentials) throws(RPCError) -> BlockingWork {
        let fileRef = try p.requiredFileRef("file")
        let otherRef = try p.fileRef("other")
        return { () throws(RPCError) -> JSONValue in
            let file = try self.resolver.resolve(fileRef, role: .inspected, peer: peer, descriptors: descriptors, parameter: "file")
            let report: FileProbe
            do throws(CopyError) {
                report = try DeviceProbe.probe(
                    descriptor: file.file.descriptor, name: file.file.name, resolvedPath: file.resolvedPath ?? file.file.name)
            } catch {
                throw RPCError(error)
            }
            var members: [(String, JSONValue)] = [("device", ProbeReport.json(report))]
            let mounts = MountTable.current()
            let identity = DeviceIdentity.of(file.file, mounts: mounts)
            let profileName: String
            do throws(ProfileLoadErrors) {
                profileName = try self.profiles.current().choose(for: identity).profile.name
            } catch {
                throw RPCError(.internal, "the device profiles do not load: \(error)")
            }
            members.append(("profile", .string(profileName)))
            if let otherRef {
                let other = try self.resolver.resolve(otherRef, role: .inspected, peer: peer, descriptors: descriptors, parameter: "other")
                let pair = self.verdicts(source: file, destination: other, peer: peer)
                members.append(("backends", .array(pair.verdicts.map(ProbeReport.json))))
                members.append(("order", .array(pair.plan.order.map { .string($0.rawValue) })))
            } else {
                let verdicts = self.engine.backends.map {
                    BackendVerdict(name: $0.name, verdict: "maybe", reason: "name the other file (other) to judge a pair")
                }
                members.append(("backends", .array(verdicts.map(ProbeReport.json))))
            }
            members.append(("clone_blksize", report.type == .regular ? .unsigned(ReflinkBackend.cloneBlockSize(file.file)) : .null))
            return .object(members)
        }
    }

    /// Verdicts for a pair. A privileged peer's regular destination is judged by trial
    /// calls into an unnamed temporary file in its directory; anyone else's from types
    /// alone, since the agent makes no file for a peer who could not.
    private func verdicts(source: FileResolver.Resolved, destination: FileResolver.Resolved, peer: PeerCredentials) -> PairProbe {
        if destination.file.kind == .regular, resolver.mayUsePaths(peer), let path = destination.resolvedPath {
            if let verdicts = try? DeviceProbe.verdicts(source: source.file, trialBeside: path, engine: engine) { return verdicts }
        }
        return DeviceProbe.verdicts(source: source.file, destination: destination.file, trial: false, engine: engine)
    }
}
