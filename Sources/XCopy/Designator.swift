/// One designation descriptor of the Device Identification VPD page (SPC-4 §7.8.6):
///
///     byte 0      bits 7..4 PROTOCOL IDENTIFIER, bits 3..0 CODE SET
///                 (1 binary, 2 ASCII, 3 UTF-8)
///     byte 1      bit 7 PIV, bits 5..4 ASSOCIATION (0 logical unit, 1 target port,
///                 2 target device), bits 3..0 DESIGNATOR TYPE
///     byte 2      reserved
///     byte 3      DESIGNATOR LENGTH (n - 3)
///     bytes 4-n   DESIGNATOR
///
/// The same four-byte header and designator go, unchanged, into an identification
/// descriptor target descriptor (0xE4, SPC-4 §6.3.6.2) to name a copy source or
/// destination, so a designator keeps exactly what the device sent.
public struct Designator: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// DESIGNATOR TYPE values (SPC-4 §7.8.6).
    public enum Kind: UInt8, Sendable {
        case vendorSpecific = 0, t10VendorID = 1, eui64 = 2, naa = 3, relativeTargetPort = 4,
            targetPortGroup = 5, logicalUnitGroup = 6, md5 = 7, scsiName = 8, protocolSpecificPortID = 9,
            uuid = 10
    }

    /// CODE SET (byte 0, bits 3..0): 1 binary, 2 ASCII, 3 UTF-8.
    public var codeSet: UInt8
    /// PROTOCOL IDENTIFIER (byte 0, bits 7..4), meaningful only when `piv` is set.
    public var protocolIdentifier: UInt8
    /// PIV (byte 1, bit 7): the protocol identifier is valid (associations 1 and 2 only).
    public var piv: Bool
    /// ASSOCIATION (byte 1, bits 5..4): 0 the addressed logical unit, 1 the target port
    /// that received the command, 2 the target device.
    public var association: UInt8
    /// DESIGNATOR TYPE (byte 1, bits 3..0) as sent; `kind` is its named form.
    public var rawType: UInt8
    /// The DESIGNATOR field, DESIGNATOR LENGTH bytes.
    public var identifier: [UInt8]

    public init(
        codeSet: UInt8, protocolIdentifier: UInt8 = 0, piv: Bool = false, association: UInt8 = 0,
        rawType: UInt8, identifier: [UInt8]
    ) {
        self.codeSet = codeSet & 0x0F
        self.protocolIdentifier = protocolIdentifier & 0x0F
        self.piv = piv
        self.association = association & 0x03
        self.rawType = rawType & 0x0F
        self.identifier = identifier
    }

    /// The named designator type, nil for a reserved value (0xB..0xF).
    public var kind: Kind? {
        get { Kind(rawValue: rawType) }
        set { if let newValue { rawType = newValue.rawValue } }
    }

    /// The four-byte header plus the identifier, as the VPD page carried it and as it
    /// goes into bytes 4-27 of an 0xE4 target descriptor. DESIGNATOR LENGTH is one
    /// byte: an identifier longer than 255 bytes (never decoded, only constructible) is
    /// cut at 255.
    public var descriptorBytes: [UInt8] {
        let length = min(identifier.count, 255)
        var bytes: [UInt8] = [
            protocolIdentifier << 4 | codeSet,
            (piv ? 0x80 : 0) | association << 4 | rawType,
            0,
            UInt8(length),
        ]
        bytes.append(contentsOf: identifier.prefix(length))
        return bytes
    }

    /// The longest designator an 0xE4 target descriptor has room for: bytes 8-27
    /// (SPC-4 §6.3.6.2: "DESIGNATOR LENGTH ... shall be less than or equal
    /// to 20").
    public static let maxTargetDescriptorIdentifierLength = 20

    /// Whether this designator fits an identification descriptor target descriptor.
    /// NAA (8 or 16 bytes) and EUI-64 (8, 12 or 16) always do; T10 vendor ids often
    /// do not (LIO's is 48 bytes) and SCSI name strings rarely do.
    public var fitsIdentificationTargetDescriptor: Bool {
        identifier.count <= Self.maxTargetDescriptorIdentifierLength
    }

    /// A Linux-style name: "naa.6001405a1ab000000000000000000000", "eui.0123456789abcdef",
    /// "t10.LIO-ORG FILEIO:...", the SCSI name string itself, or
    /// "type<N>.<hex>" for the rest, with ",target-port"/",target-device" for
    /// associations other than the logical unit.
    public var description: String {
        var text: String
        switch kind {
        case .naa: text = "naa." + lowercaseHex(identifier)
        case .eui64: text = "eui." + lowercaseHex(identifier)
        case .t10VendorID: text = "t10." + textOrHex
        case .scsiName: text = textOrHex
        case .uuid: text = "uuid." + lowercaseHex(identifier)
        case .md5: text = "md5." + lowercaseHex(identifier)
        case .relativeTargetPort: text = "relative-target-port." + lowNumber
        case .targetPortGroup: text = "target-port-group." + lowNumber
        case .logicalUnitGroup: text = "logical-unit-group." + lowNumber
        case .vendorSpecific: text = "vendor." + textOrHex
        case .protocolSpecificPortID: text = "port." + lowercaseHex(identifier)
        case nil: text = "type\(rawType)." + lowercaseHex(identifier)
        }
        switch association {
        case 0: break
        case 1: text += ",target-port"
        case 2: text += ",target-device"
        default: text += ",association-3"
        }
        return text
    }

    /// ASCII and UTF-8 designators as text (NUL padding dropped), binary ones as hex.
    private var textOrHex: String {
        guard codeSet == 2 || codeSet == 3 else { return lowercaseHex(identifier) }
        let unpadded = identifier.prefix { $0 != 0 }
        if codeSet == 3, let utf8 = String(validating: unpadded, as: UTF8.self), !utf8.contains(where: \.isControl) {
            return utf8.trimmingTrailingSpaces
        }
        return asciiField(unpadded)
    }

    /// Relative target port, port group and logical unit group designators hold a
    /// 16-bit number in their last two bytes (SPC-4 §7.8.6).
    private var lowNumber: String {
        guard identifier.count >= 2 else { return lowercaseHex(identifier) }
        return String(UInt16(identifier[identifier.count - 2]) << 8 | UInt16(identifier[identifier.count - 1]))
    }
}

extension Character {
    fileprivate var isControl: Bool {
        unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
