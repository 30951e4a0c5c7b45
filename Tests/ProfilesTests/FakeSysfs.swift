/// A sysfs tree in a scratch directory with the files BlockDeviceNode reads, laid out
/// as the kernel lays them out (/sys/dev/block/M:N links into /sys/devices/...), so the
/// identity code runs unchanged on recorded INQUIRY and VPD answers.
struct FakeSysfs {
    let scratch: ScratchDirectory
    var root: String { scratch.path + "/sys" }

    /// A SCSI disk `name` (host `hctl`) with the standard INQUIRY data and VPD 0x83
    /// page the kernel caches, and the vendor/model/rev strings it derives from them.
    func scsiDisk(_ name: String, device: String, hctl: String, inquiry: [UInt8], vpd83: [UInt8]?) throws {
        let scsiDevice = "sys/devices/platform/host0/target0:0:0/\(hctl)"
        let block = "\(scsiDevice)/block/\(name)"
        try scratch.write("\(block)/dev", device + "\n")
        try scratch.write("\(block)/queue/logical_block_size", "512\n")
        try scratch.write("\(block)/queue/physical_block_size", "4096\n")
        try scratch.write("\(block)/queue/rotational", "0\n")
        try scratch.symlink("\(block)/device", to: "../../../\(hctl)")
        try scratch.write("\(scsiDevice)/scsi_level", "7\n")
        try scratch.write("\(scsiDevice)/vendor", String(decoding: inquiry[8..<16], as: UTF8.self) + "\n")
        try scratch.write("\(scsiDevice)/model", String(decoding: inquiry[16..<32], as: UTF8.self) + "\n")
        try scratch.write("\(scsiDevice)/rev", String(decoding: inquiry[32..<36], as: UTF8.self) + "\n")
        try scratch.write("\(scsiDevice)/inquiry", inquiry)
        if let vpd83 { try scratch.write("\(scsiDevice)/vpd_pg83", vpd83) }
        try scratch.symlink("sys/dev/block/\(device)", to: "../../../\(block)")
    }

    /// Partition `number` of disk `disk` (whose sysfs directory is found through its link).
    func partition(of disk: String, diskDevice: String, name: String, device: String, startSector: Int) throws {
        let diskDirectory = realTarget("sys/dev/block/\(diskDevice)")
        let relative = String(diskDirectory.dropFirst(scratch.path.count + 1)) + "/\(name)"
        try scratch.write("\(relative)/partition", "1\n")
        try scratch.write("\(relative)/start", "\(startSector)\n")
        try scratch.write("\(relative)/dev", device + "\n")
        try scratch.symlink("sys/dev/block/\(device)", to: "../../../\(relative)")
    }

    /// A device-mapper device over `slaves` (multipath, LVM).
    func mapper(_ name: String, device: String, mapperName: String, slaves: [(name: String, device: String)]) throws {
        let directory = "sys/devices/virtual/block/\(name)"
        try scratch.write("\(directory)/dev", device + "\n")
        try scratch.write("\(directory)/dm/name", mapperName + "\n")
        try scratch.write("\(directory)/dm/uuid", "mpath-\(mapperName)\n")
        try scratch.write("\(directory)/queue/logical_block_size", "512\n")
        try scratch.makeDirectory("\(directory)/slaves")
        for slave in slaves {
            let target = realTarget("sys/dev/block/\(slave.device)")
            try scratch.symlink("\(directory)/slaves/\(slave.name)", to: target)
        }
        try scratch.symlink("sys/dev/block/\(device)", to: "../../../\(directory)")
    }

    /// A loop device backed by `file`.
    func loop(_ name: String, device: String, backingFile: String) throws {
        let directory = "sys/devices/virtual/block/\(name)"
        try scratch.write("\(directory)/dev", device + "\n")
        try scratch.write("\(directory)/loop/backing_file", backingFile + "\n")
        try scratch.write("\(directory)/queue/logical_block_size", "512\n")
        try scratch.write("\(directory)/queue/rotational", "1\n")
        try scratch.symlink("sys/dev/block/\(device)", to: "../../../\(directory)")
    }

    private func realTarget(_ relative: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard realpath("\(scratch.path)/\(relative)", &buffer) != nil else { return "\(scratch.path)/\(relative)" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

import Glibc
