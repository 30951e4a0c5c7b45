import Backends
import BuiltInProfiles
import Profiles
import XCTest

/// The schema, every malformed-profile case with its file and line or key path, the
/// override order, and reloads that keep the previous valid set.
final class LoaderTests: XCTestCase {
    let origin = ProfileOrigin(kind: .file, path: "/etc/ssc-agent/profiles.d/test.toml")

    func parseError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ProfileError? {
        do {
            let profile = try ProfileParser.parse(text, origin: origin)
            XCTFail("parsed \(profile.name) although it is malformed", file: file, line: line)
            return nil
        } catch {
            XCTAssertEqual(error.file, origin.path, file: file, line: line)
            XCTAssertTrue(error.description.hasPrefix(origin.path), error.description, file: file, line: line)
            XCTAssertFalse(error.description.contains("\n"), "one line: \(error.description)", file: file, line: line)
            return error
        }
    }

    func testAValidProfileWithEveryKey() throws {
        let text = """
            name = "array-x"
            description = "an array"
            verified = false
            source = "https://example.invalid/doc"
            order = ["xcopy", "aio"]

            [match]
            file_type = "block"
            transport = ["scsi"]
            vendor = "ACME"
            product = "Box (1|2)"
            revision = "[0-9]+"

            [tunables.aio]
            block_size = 1048576
            queue_depth = 8
            direct = false

            [tunables.copy_file_range]
            chunk = 16777216

            [tunables.xcopy]
            bytes_per_command = 8388608
            segments_per_command = 4
            concurrency = 2
            timeout_seconds = 30
            """
        let p = try ProfileParser.parse(text, origin: origin)
        XCTAssertEqual(p.name, "array-x")
        XCTAssertEqual(p.order, [.xcopy, .aio])
        XCTAssertEqual(p.match.specificity, 5)
        XCTAssertEqual(p.match.fileType, .block)
        XCTAssertTrue(p.match.product?.matches("Box 2") == true)
        XCTAssertFalse(p.match.product?.matches("Box 22") == true, "anchored at both ends")
        XCTAssertFalse(p.match.vendor?.matches("ACME2") == true)
        let t = p.tunables.applied()
        XCTAssertEqual(t.aio.blockSize, 1 << 20)
        XCTAssertEqual(t.aio.queueDepth, 8)
        XCTAssertEqual(t.aio.direct, false)
        XCTAssertEqual(t.copyFileRangeChunk, 16 << 20)
        XCTAssertEqual(t.xcopy.bytesPerCommand, 8 << 20)
        XCTAssertEqual(t.xcopy.segmentsPerCommand, 4)
        XCTAssertEqual(t.xcopy.concurrency, 2)
        XCTAssertEqual(t.xcopy.timeout, .seconds(30))
    }

    func testBadTOMLNamesLineAndColumn() throws {
        let text = "name = \"x\"\ndescription = \"d\"\norder = [\"aio\", \n verified = \n"
        let error = try XCTUnwrap(parseError(text))
        XCTAssertEqual(error.line, 4, error.description)
        XCTAssertNotNil(error.column)
        XCTAssertTrue(error.description.hasPrefix("\(origin.path):4:"), error.description)
        XCTAssertTrue(error.message.contains("TOML syntax error"), error.message)

        // The message quotes the offending text and stays one line.
        let quoted = try XCTUnwrap(parseError("name = \"x\"\nverified = tru\n"))
        XCTAssertEqual(quoted.line, 2, quoted.description)
        XCTAssertEqual(quoted.column, 12, quoted.description)
        XCTAssertTrue(quoted.message.contains("found 'tru'"), quoted.message)
        let control = try XCTUnwrap(parseError("name = \"x\u{1B}[2J\"\n"))
        XCTAssertEqual(control.column, 10, control.description)
        XCTAssertFalse(control.description.unicodeScalars.contains { $0.value < 0x20 }, control.description)

        let duplicateKey = try XCTUnwrap(parseError("name = \"x\"\nname = \"y\"\n"))
        XCTAssertEqual(duplicateKey.line, 2, duplicateKey.description)
    }

    func testUnknownKeysAtEveryLevelNameTheirPath() throws {
        let cases: [(String, String)] = [
            ("colour = \"red\"\n" + profileText(name: "a"), "colour"),
            (profileText(name: "a", match: "vendr = \"X\""), "match.vendr"),
            (profileText(name: "a", tunables: "[tunables.aio]\nblocksize = 4096"), "tunables.aio.blocksize"),
            (profileText(name: "a", tunables: "[tunables.rsync]\nx = 1"), "tunables.rsync"),
        ]
        for (text, path) in cases {
            let error = try XCTUnwrap(parseError(text))
            XCTAssertEqual(error.keyPath, path, error.description)
            XCTAssertNil(error.line)
            XCTAssertTrue(error.message.contains("unknown key"), error.description)
            XCTAssertTrue(error.description.contains(": \(path): "), error.description)
        }
    }

    func testUnknownBackendNamesItsIndex() throws {
        let error = try XCTUnwrap(parseError(profileText(name: "a", order: ["reflink", "rsync"])))
        XCTAssertEqual(error.keyPath, "order[1]")
        XCTAssertTrue(error.message.contains("unknown backend 'rsync'"), error.message)
        let twice = try XCTUnwrap(parseError(profileText(name: "a", order: ["aio", "aio"])))
        XCTAssertEqual(twice.keyPath, "order[1]")
        let empty = try XCTUnwrap(parseError(profileText(name: "a", order: [])))
        XCTAssertEqual(empty.keyPath, "order")
    }

    func testBadRegularExpressionNamesTheKey() throws {
        for key in ["vendor", "product", "revision"] {
            let error = try XCTUnwrap(parseError(profileText(name: "a", match: "\(key) = \"Flash(Array\"")))
            XCTAssertEqual(error.keyPath, "match.\(key)", error.description)
            XCTAssertTrue(error.message.contains("bad regular expression 'Flash(Array'"), error.message)
        }
    }

    func testWrongTypesRangesAndMissingKeys() throws {
        let cases: [(String, String, String)] = [
            (profileText(name: "a").replacingOccurrences(of: "verified = false", with: "verified = \"no\""), "verified", "expected a bool"),
            (profileText(name: "a").replacingOccurrences(of: "name = \"a\"\n", with: ""), "name", "missing"),
            (profileText(name: "Bad Name"), "name", "not a valid profile name"),
            (profileText(name: "a", match: "file_type = \"fifo\""), "match.file_type", "not a file type"),
            (profileText(name: "a", match: "transport = [\"usb4\"]"), "match.transport[0]", "unknown transport"),
            (profileText(name: "a", match: "fstype = \"xfs\""), "match.fstype", "expected an array"),
            (profileText(name: "a", tunables: "[tunables.aio]\nqueue_depth = 0"), "tunables.aio.queue_depth", "out of range"),
            (profileText(name: "a", tunables: "[tunables.aio]\nblock_size = 5000"), "tunables.aio.block_size", "multiple of 4096"),
            (profileText(name: "a", tunables: "[tunables.xcopy]\ntimeout_seconds = 1.5"), "tunables.xcopy.timeout_seconds", "expected an integer"),
            (profileText(name: "a").replacingOccurrences(of: "source = \"a test\"", with: "source = \"\""), "source", "must name"),
        ]
        for (text, path, message) in cases {
            let error = try XCTUnwrap(parseError(text), path)
            XCTAssertEqual(error.keyPath, path, error.description)
            XCTAssertTrue(error.message.contains(message), "\(path): \(error.description)")
        }
    }

    // MARK: sets, precedence, override by name

    func testBuiltInProfilesLoadAndCoverTheIssue() throws {
        let set = try ProfileSet.builtIn()
        // Built-in patterns compile on first use in the binary; here, all of them now.
        XCTAssertNoThrow(try set.validatePatterns())
        for name in ["generic", "btrfs", "xfs", "ext4", "tmpfs", "nfs4", "cifs", "lio"] {
            XCTAssertNotNil(set.profile(named: name), name)
        }
        XCTAssertTrue(set.profile(named: "generic")!.isCatchAll)
        XCTAssertEqual(set.profile(named: "lio")?.verified, true)
        let arrays = set.profiles.filter { $0.order.first == .xcopy && $0.name != "lio" }
        XCTAssertGreaterThanOrEqual(arrays.count, 6, arrays.map(\.name).description)
        for array in arrays {
            XCTAssertFalse(array.verified, array.name)
            XCTAssertTrue(array.source.contains("https://"), "\(array.name) must cite its source: \(array.source)")
            XCTAssertNotNil(array.match.vendor, array.name)
            XCTAssertNotNil(array.match.product, array.name)
            XCTAssertNotNil(array.tunables.xcopyBytesPerCommand, "\(array.name) states a copy limit")
        }
        XCTAssertTrue(set.profiles.allSatisfy { $0.origin.kind == .builtIn })
    }

    func testOverrideByNameAndLaterDirectoriesWin() throws {
        let s = try ScratchDirectory()
        try s.write("system/xfs.toml", profileText(name: "xfs", order: ["copy_file_range", "aio"], match: "fstype = [\"xfs\"]"))
        try s.write("system/extra.toml", profileText(name: "extra", order: ["aio"], match: "fstype = [\"zfs\"]"))
        try s.write("user/any-name.toml", profileText(name: "extra", order: ["reflink", "aio"], match: "fstype = [\"zfs\"]"))
        try s.write("user/notes.txt", "not a profile")
        let set = try ProfileSet.load(directories: [("\(s.path)/system", false), ("\(s.path)/user", true)])
        XCTAssertEqual(set.profile(named: "xfs")?.order, [.copyFileRange, .aio])
        XCTAssertEqual(set.profile(named: "xfs")?.origin.path, "\(s.path)/system/xfs.toml")
        XCTAssertEqual(set.profile(named: "extra")?.order, [.reflink, .aio], "the later directory wins")
        XCTAssertEqual(set.profile(named: "extra")?.origin.path, "\(s.path)/user/any-name.toml")
        XCTAssertEqual(Set(set.overridden.map(\.profile.name)), ["xfs", "extra"])
        XCTAssertEqual(set.profiles.filter { $0.name == "xfs" }.count, 1)
        XCTAssertEqual(set.choose(for: identity("/x", fstype: "xfs")).profile.origin.kind, .file)
    }

    func testMostSpecificWinsAndTiesGoByName() throws {
        let s = try ScratchDirectory()
        try s.write("d/b-two.toml", profileText(name: "b-two", order: ["aio"], match: "fstype = [\"zfs\"]\nfile_type = \"regular\""))
        try s.write("d/a-two.toml", profileText(name: "a-two", order: ["copy_file_range", "aio"], match: "fstype = [\"zfs\"]\nfile_type = \"regular\""))
        try s.write("d/one.toml", profileText(name: "one", order: ["reflink", "aio"], match: "fstype = [\"zfs\"]"))
        let set = try ProfileSet.load(directories: [("\(s.path)/d", true)])
        let choice = set.choose(for: identity("/z", fstype: "zfs"))
        XCTAssertEqual(choice.profile.name, "a-two")
        XCTAssertEqual(choice.tiedWith, ["b-two"])
        XCTAssertTrue(choice.alsoMatching.contains("one"))
        XCTAssertTrue(choice.alsoMatching.contains("generic"))
        XCTAssertTrue(choice.reason.contains("tied with b-two"), choice.reason)
    }

    func testDuplicateNameInOneDirectoryNamesBothFiles() throws {
        let s = try ScratchDirectory()
        try s.write("d/a.toml", profileText(name: "same"))
        try s.write("d/b.toml", profileText(name: "same"))
        XCTAssertThrowsError(try ProfileSet.load(directories: [("\(s.path)/d", true)])) { error in
            let errors = (error as? ProfileLoadErrors)?.errors ?? []
            XCTAssertEqual(errors.count, 1, "\(errors)")
            XCTAssertEqual(errors.first?.file, "\(s.path)/d/b.toml")
            XCTAssertEqual(errors.first?.keyPath, "name")
            XCTAssertTrue(errors.first?.message.contains("duplicate profile name 'same' (also in \(s.path)/d/a.toml)") == true, "\(errors)")
        }
    }

    func testEveryErrorOfEveryFileIsCollected() throws {
        let s = try ScratchDirectory()
        try s.write("d/1.toml", "name = \n")
        try s.write("d/2.toml", profileText(name: "two", order: ["teleport"]))
        try s.write("d/3.toml", profileText(name: "three"))
        XCTAssertThrowsError(try ProfileSet.load(directories: [("\(s.path)/d", true)])) { error in
            let errors = (error as? ProfileLoadErrors)?.errors ?? []
            XCTAssertEqual(errors.map(\.file), ["\(s.path)/d/1.toml", "\(s.path)/d/2.toml"])
            XCTAssertEqual(errors.first?.line, 1)
            XCTAssertEqual(errors.last?.keyPath, "order[0]")
            XCTAssertTrue("\(error)".contains("and 1 more"), "\(error)")
        }
    }

    func testMissingDirectoryIsAnErrorOnlyWhenRequired() throws {
        XCTAssertNoThrow(try ProfileSet.load(directories: [("/nonexistent/profiles.d", false)]))
        XCTAssertThrowsError(try ProfileSet.load(directories: [("/nonexistent/profiles.d", true)])) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/profiles.d: cannot read the profile directory"), "\(error)")
        }
    }

    func testReloadWithErrorsKeepsThePreviousValidSet() throws {
        let s = try ScratchDirectory()
        let directory = "\(s.path)/d"
        try s.write("d/xfs.toml", profileText(name: "xfs", order: ["aio"], match: "fstype = [\"xfs\"]"))
        let store = ProfileStore(overrideDirectory: directory)
        XCTAssertEqual(try store.current().profile(named: "xfs")?.order, [.aio])

        let malformed: [(String, String)] = [
            ("order = [\n", "bad TOML"),
            (profileText(name: "xfs", order: ["aio"], match: "fstype = [\"xfs\"]") + "\nspeed = 1\n", "unknown key"),
            (profileText(name: "xfs", order: ["warp"], match: "fstype = [\"xfs\"]"), "unknown backend"),
            (profileText(name: "xfs", order: ["aio"], match: "vendor = \"[\""), "bad regular expression"),
        ]
        for (text, what) in malformed {
            try s.write("d/xfs.toml", text)
            XCTAssertThrowsError(try store.reload(), what) { error in
                XCTAssertTrue("\(error)".contains("\(directory)/xfs.toml"), "\(what): \(error)")
            }
            XCTAssertEqual(try store.current().profile(named: "xfs")?.order, [.aio], "\(what): the previous set stays in force")
        }
        // A duplicate name is an error of the set, not of one file: the same rule holds.
        try s.write("d/xfs.toml", profileText(name: "xfs", order: ["copy_file_range"], match: "fstype = [\"xfs\"]"))
        try s.write("d/xfs-again.toml", profileText(name: "xfs", order: ["reflink"], match: "fstype = [\"xfs\"]"))
        XCTAssertThrowsError(try store.reload())
        XCTAssertEqual(try store.current().profile(named: "xfs")?.order, [.aio])

        try s.write("d/xfs-again.toml", profileText(name: "xfs2", order: ["reflink"], match: "fstype = [\"xfs\"]"))
        XCTAssertEqual(try store.reload().profile(named: "xfs")?.order, [.copyFileRange], "a valid reload replaces the set")
        XCTAssertEqual(try store.current().profile(named: "xfs")?.order, [.copyFileRange])
    }

    func testAFirstLoadThatFailsIsReportedUntilAReloadSucceeds() throws {
        let s = try ScratchDirectory()
        try s.write("d/bad.toml", "= 1\n")
        let store = ProfileStore(overrideDirectory: "\(s.path)/d")
        XCTAssertThrowsError(try store.current())
        XCTAssertThrowsError(try store.current())
        let selector = ProfileSelector(store: store)
        let plan = selector.plan(source: identity("/a", fstype: "xfs"), destination: identity("/b", fstype: "xfs"))
        XCTAssertEqual(plan.order, [], "no valid profiles: nothing is tried")
        XCTAssertTrue(plan.excluded.allSatisfy { $0.message.contains("bad.toml") }, "\(plan.excluded)")
        try s.write("d/bad.toml", profileText(name: "fixed", match: "fstype = [\"zfs\"]"))
        XCTAssertNotNil(try store.reload().profile(named: "fixed"))
    }

    func testCompiledInProfilesMatchHwProfiles() throws {
        // Tests/ProfilesTests/LoaderTests.swift -> the repository root.
        var root = "\(#filePath)"
        for _ in 0..<3 { root = String(root[..<root.lastIndex(of: "/")!]) }
        let listing = try XCTUnwrap(readText("\(root)/hw-profiles"), "cannot list hw-profiles/")
        let names = listing.split(separator: "\n").map(String.init).filter { $0.hasSuffix(".toml") }.sorted()
        XCTAssertEqual(
            BuiltInProfiles.all.map(\.origin.path), names.map { "hw-profiles/\($0)" },
            "Sources/BuiltInProfiles/BuiltInProfiles.swift is stale: run `make profiles`")
        for builtIn in BuiltInProfiles.all {
            let text = try XCTUnwrap(readText("\(root)/\(builtIn.origin.path)"))
            // The file read as an override file is: every field must come out the same.
            let parsed = try ProfileParser.parse(text, origin: builtIn.origin)
            XCTAssertEqual(parsed, builtIn, "\(builtIn.origin.path) differs from its compiled-in values: run `make profiles`")
        }
    }

    func testGeneratedValuesDetectAChangedField() throws {
        // The comparison above must see every field: change each one and expect a
        // difference (a field left out of Equatable would pass silently).
        let base = try XCTUnwrap(BuiltInProfiles.all.first { $0.name == "pure-flasharray" })
        var changes: [(String, (inout Profile) -> Void)] = [
            ("name", { $0.name += "x" }), ("description", { $0.description += "x" }), ("verified", { $0.verified.toggle() }),
            ("source", { $0.source += "x" }), ("order", { $0.order.reverse() }),
            ("origin", { $0.origin = ProfileOrigin(kind: .file, path: $0.origin.path) }),
            ("match.vendor", { $0.match.vendor = AnchoredPattern(uncompiled: "OTHER") }),
            ("match.fstypes", { $0.match.fstypes = ["xfs"] }), ("match.transports", { $0.match.transports = ["nvme"] }),
            ("match.fileType", { $0.match.fileType = .regular }),
            ("match.product", { $0.match.product = nil }), ("match.revision", { $0.match.revision = AnchoredPattern(uncompiled: "1") }),
        ]
        let tunables: [WritableKeyPath<ProfileTunables, Int?>] = [
            \.aioBlockSize, \.aioQueueDepth, \.xcopySegmentsPerCommand, \.xcopyConcurrency, \.xcopyTimeoutSeconds,
        ]
        for key in tunables { changes.append(("tunables \(key)", { $0.tunables[keyPath: key] = 7 })) }
        changes.append(("tunables.aioDirect", { $0.tunables.aioDirect = false }))
        changes.append(("tunables.copyFileRangeChunk", { $0.tunables.copyFileRangeChunk = 7 }))
        changes.append(("tunables.xcopyBytesPerCommand", { $0.tunables.xcopyBytesPerCommand = 7 }))
        for (field, change) in changes {
            var changed = base
            change(&changed)
            XCTAssertNotEqual(changed, base, "a change of \(field) went unnoticed")
        }
    }

    /// A file's text, or for a directory its entries one per line.
    private func readText(_ path: String) -> String? {
        if let dir = opendir(path) {
            defer { closedir(dir) }
            var names: [String] = []
            while let entry = readdir(dir) {
                names.append(withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                })
            }
            return names.joined(separator: "\n")
        }
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n == 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

import Glibc
