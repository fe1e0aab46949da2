using System.Buffers.Binary;
using System.Text;

namespace Gateway.Tests.Protocols;

/// <summary>
/// Synthesises TLS ClientHellos field by field (RFC 8446 §4.1.2) and frames them in records
/// (RFC 8446 §5.1), so a test can break exactly one length or field.
/// </summary>
internal sealed class ClientHelloBuilder
{
    public const ushort ServerName = 0;
    public const ushort Alpn = 16;
    public const ushort Padding = 21;
    public const ushort EchOuter = 0xfe0d;

    // RFC 8701: GREASE values are 0x?A?A with both bytes equal.
    public const ushort Grease = 0x2a2a;

    public byte RecordType { get; set; } = 22;
    public ushort RecordVersion { get; set; } = 0x0301;
    public byte HandshakeType { get; set; } = 1;
    public ushort LegacyVersion { get; set; } = 0x0303;
    public byte[] SessionId { get; set; } = Filled(32, 0x5e);
    public ushort[] CipherSuites { get; set; } = [0x1301, 0x1302, 0x1303, 0xc02f];
    public byte[] CompressionMethods { get; set; } = [0];

    /// <summary>Null: the hello ends after the compression methods (no extensions block at all).</summary>
    public List<(ushort Type, byte[] Data)>? Extensions { get; set; } = [];

    /// <summary>Replaces the block's declared length when set.</summary>
    public int? ExtensionsLengthOverride { get; set; }

    /// <summary>A TLS 1.3 hello as OpenSSL sends it: SNI, supported_versions, key_share, signature_algorithms.</summary>
    public static ClientHelloBuilder Tls13(string serverName, string? alpn = null)
    {
        var builder = new ClientHelloBuilder();
        builder.Extensions!.Add((ServerName, ServerNameData(serverName)));
        if (alpn is not null)
        {
            builder.Extensions.Add((Alpn, AlpnData(alpn.Split(','))));
        }

        builder.Extensions.Add((10, [0x00, 0x04, 0x00, 0x1d, 0x00, 0x17]));
        builder.Extensions.Add((13, [0x00, 0x04, 0x04, 0x03, 0x08, 0x04]));
        builder.Extensions.Add((43, [0x04, 0x03, 0x04, 0x03, 0x03]));
        builder.Extensions.Add((51, [0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, .. Filled(32, 0x11)]));
        return builder;
    }

    /// <summary>A TLS 1.2 hello: record version 0x0301, legacy_version 0x0303, no session id, SNI only.</summary>
    public static ClientHelloBuilder Tls12(string serverName) => new()
    {
        SessionId = [],
        CipherSuites = [0xc02f, 0xc030, 0x009e],
        Extensions = [(ServerName, ServerNameData(serverName)), (0xff01, [0x00])],
    };

    /// <summary>
    /// What Chrome sends today, about 1.8 KB: GREASE cipher suite and extensions at both ends,
    /// an X25519MLKEM768 key share (1,216 bytes), an ECH-GREASE outer extension (0xfe0d) of
    /// ~200 random bytes, ALPN h2, and compressed-certificate, SCT and ALPS extensions.
    /// </summary>
    public static ClientHelloBuilder ChromeLike(string serverName)
    {
        var random = new Random(1);
        byte[] echGrease = new byte[200];
        random.NextBytes(echGrease);
        byte[] mlkem = new byte[1216];
        random.NextBytes(mlkem);
        return new ClientHelloBuilder
        {
            CipherSuites = [0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
            Extensions =
            [
                (Grease, []),
                (0x0023, []),
                (0x0012, []),
                (ServerName, ServerNameData(serverName)),
                (0x0017, []),
                (0xff01, [0x00]),
                (0x000a, [0x00, 0x0a, 0x4a, 0x4a, 0x11, 0xec, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18]),
                (0x000b, [0x01, 0x00]),
                (0x0005, [0x01, 0x00, 0x00, 0x00, 0x00]),
                (0x000d, [0x00, 0x10, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03, 0x08, 0x05, 0x05, 0x01, 0x08, 0x06, 0x06, 0x01]),
                (Alpn, AlpnData(["h2", "http/1.1"])),
                (0x001b, [0x02, 0x00, 0x02]),
                (0x44cd, [0x00, 0x03, 0x02, 0x68, 0x32]),
                (0x002b, [0x06, 0x4a, 0x4a, 0x03, 0x04, 0x03, 0x03]),
                (0x002d, [0x01, 0x01]),
                (0x0033, [0x04, 0xed, 0x4a, 0x4a, 0x00, 0x01, 0x00, 0x11, 0xec, 0x04, 0xc0, .. mlkem, 0x00, 0x1d, 0x00, 0x20, .. Filled(32, 0x22)]),
                (EchOuter, [0x00, 0x00, 0x01, 0x00, 0x01, 0x7a, 0x00, 0x20, .. Filled(32, 0x33), 0x00, (byte)echGrease.Length, .. echGrease]),
                (0x1a1a, [0x00]),
            ],
        };
    }

    /// <summary>The extension data of server_name with the given (name_type, name) entries (RFC 6066 §3).</summary>
    public static byte[] ServerNameData(params (byte Type, byte[] Name)[] entries)
    {
        var list = new List<byte>();
        foreach ((byte type, byte[] name) in entries)
        {
            list.Add(type);
            list.AddRange(UInt16(name.Length));
            list.AddRange(name);
        }

        return [.. UInt16(list.Count), .. list];
    }

    public static byte[] ServerNameData(string name) => ServerNameData((0, Encoding.Latin1.GetBytes(name)));

    public static byte[] AlpnData(IEnumerable<string> protocols)
    {
        var list = new List<byte>();
        foreach (string protocol in protocols)
        {
            list.Add((byte)protocol.Length);
            list.AddRange(Encoding.ASCII.GetBytes(protocol));
        }

        return [.. UInt16(list.Count), .. list];
    }

    public ClientHelloBuilder With(ushort type, byte[] data)
    {
        (Extensions ??= []).Add((type, data));
        return this;
    }

    public ClientHelloBuilder Without(ushort type)
    {
        Extensions?.RemoveAll(e => e.Type == type);
        return this;
    }

    /// <summary>Pads the hello (RFC 7685) so its handshake message is <paramref name="messageLength"/> bytes long.</summary>
    public ClientHelloBuilder PaddedTo(int messageLength)
    {
        int missing = messageLength - Handshake().Length - 4;
        return missing < 0 ? throw new ArgumentOutOfRangeException(nameof(messageLength)) : With(Padding, new byte[missing]);
    }

    /// <summary>The ClientHello body, after the handshake header.</summary>
    public byte[] Body()
    {
        var body = new List<byte>();
        body.AddRange(UInt16(LegacyVersion));
        body.AddRange(Filled(32, 0x52));
        body.Add((byte)SessionId.Length);
        body.AddRange(SessionId);
        body.AddRange(UInt16(CipherSuites.Length * 2));
        foreach (ushort suite in CipherSuites)
        {
            body.AddRange(UInt16(suite));
        }

        body.Add((byte)CompressionMethods.Length);
        body.AddRange(CompressionMethods);
        if (Extensions is not null)
        {
            var block = new List<byte>();
            foreach ((ushort type, byte[] data) in Extensions)
            {
                block.AddRange(UInt16(type));
                block.AddRange(UInt16(data.Length));
                block.AddRange(data);
            }

            body.AddRange(UInt16(ExtensionsLengthOverride ?? block.Count));
            body.AddRange(block);
        }

        return [.. body];
    }

    /// <summary>The handshake message: type, 24-bit length, body.</summary>
    public byte[] Handshake()
    {
        byte[] body = Body();
        return [HandshakeType, (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length, .. body];
    }

    /// <summary>
    /// The handshake message in records: one record per entry of <paramref name="fragmentSizes"/>
    /// (the last takes what is left), or a single record when none are given.
    /// </summary>
    public byte[] Build(params int[] fragmentSizes) => Records(Handshake(), RecordType, RecordVersion, fragmentSizes);

    public static byte[] Records(byte[] handshake, byte recordType, ushort recordVersion, params int[] fragmentSizes)
    {
        var bytes = new List<byte>();
        int offset = 0;
        for (int i = 0; offset < handshake.Length || i == 0; i++)
        {
            int size = i < fragmentSizes.Length ? fragmentSizes[i] : handshake.Length - offset;
            size = Math.Min(size, handshake.Length - offset);
            bytes.Add(recordType);
            bytes.AddRange(UInt16(recordVersion));
            bytes.AddRange(UInt16(size));
            bytes.AddRange(handshake.AsSpan(offset, size).ToArray());
            offset += size;
        }

        return [.. bytes];
    }

    public static byte[] UInt16(int value)
    {
        byte[] bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, checked((ushort)value));
        return bytes;
    }

    public static byte[] Filled(int length, byte value)
    {
        byte[] bytes = new byte[length];
        Array.Fill(bytes, value);
        return bytes;
    }
}
