using System.Text;
using Gateway.Protocols;
using static Gateway.Tests.Protocols.ClientHelloBuilder;

namespace Gateway.Tests.Protocols;

public partial class ClientHelloReaderTests
{
    private static readonly string s_longName = $"{new string('a', 63)}.{new string('b', 63)}.{new string('c', 63)}.{new string('d', 58)}.test";

    // name → (wire bytes, server name, first ALPN protocol or null, legacy_version).
    private static readonly Dictionary<string, (byte[] Bytes, string Name, string? Alpn, ushort Version)> s_valid = new()
    {
        ["tls13"] = (Tls13("api.example.test").Build(), "api.example.test", null, 0x0303),
        ["tls13 with ALPN"] = (Tls13("api.example.test", "h2,http/1.1").Build(), "api.example.test", "h2", 0x0303),
        ["tls12"] = (Tls12("legacy.example.test").Build(), "legacy.example.test", null, 0x0303),
        ["tls10"] = (new ClientHelloBuilder { LegacyVersion = 0x0301, Extensions = [(ServerName, ServerNameData("old.example.test"))] }.Build(), "old.example.test", null, 0x0301),
        ["tls13 record version 0x0303"] = (new ClientHelloBuilder { RecordVersion = 0x0303 }.With(ServerName, ServerNameData("api.example.test")).Build(), "api.example.test", null, 0x0303),
        ["chrome-like"] = (ChromeLike("www.example.test").Build(), "www.example.test", "h2", 0x0303),
        ["chrome-like in two records"] = (ChromeLike("www.example.test").Build(1000), "www.example.test", "h2", 0x0303),
        ["chrome-like in 100-byte records"] = (ChromeLike("www.example.test").Build([.. Enumerable.Repeat(100, 18)]), "www.example.test", "h2", 0x0303),
        ["tls13, handshake header split over records"] = (Tls13("api.example.test").Build(3, 50), "api.example.test", null, 0x0303),
        ["tls13 in three records"] = (Tls13("api.example.test", "http/1.1").Build(40, 60), "api.example.test", "http/1.1", 0x0303),
        ["GREASE extensions and padding"] = (Tls13("api.example.test").With(Grease, []).With(0xfafa, [0]).PaddedTo(512).Build(), "api.example.test", null, 0x0303),
        ["name of 255 bytes"] = (Tls12(s_longName).Build(), s_longName, null, 0x0303),
        ["IP literal (the canonicaliser's to refuse)"] = (Tls12("192.0.2.1").Build(), "192.0.2.1", null, 0x0303),
        ["trailing bytes after the hello in its record"] = (Records([.. Tls12("api.example.test").Handshake(), 0x16, 0x00, 0x00, 0x00], 22, 0x0301), "api.example.test", null, 0x0303),
    };

    private static readonly Dictionary<string, (byte[] Bytes, ClientHelloRejection Reason)> s_malformed = new()
    {
        // Not TLS, or not a TLS this gateway speaks.
        ["HTTP request"] = ("GET / HTTP/1.1\r\nHost: api.example.test\r\n\r\n"u8.ToArray(), ClientHelloRejection.NotTls),
        ["alert record"] = (new ClientHelloBuilder { RecordType = 21 }.Build(), ClientHelloRejection.NotTls),
        ["application data record"] = (Tls13("api.example.test").Apply(b => b.RecordType = 23).Build(), ClientHelloRejection.NotTls),
        ["record major version 2"] = (Tls13("api.example.test").Apply(b => b.RecordVersion = 0x0203).Build(), ClientHelloRejection.NotTls),
        ["SSLv2-compatible hello"] = ([0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10, .. Filled(37, 0x01)], ClientHelloRejection.SslV2),
        ["SSLv3 record"] = (Tls13("api.example.test").Apply(b => b.RecordVersion = 0x0300).Build(), ClientHelloRejection.UnsupportedVersion),
        ["SSLv3 hello in a TLS 1.0 record"] = (Tls12("api.example.test").Apply(b => b.LegacyVersion = 0x0300).Build(), ClientHelloRejection.UnsupportedVersion),
        ["record minor version 5"] = (Tls13("api.example.test").Apply(b => b.RecordVersion = 0x0305).Build(), ClientHelloRejection.Malformed),
        ["server_hello"] = (Tls13("api.example.test").Apply(b => b.HandshakeType = 2).Build(), ClientHelloRejection.NotClientHello),
        ["certificate message, first record of 3 bytes"] = (Tls13("api.example.test").Apply(b => b.HandshakeType = 11).Build(3), ClientHelloRejection.NotClientHello),

        // Records.
        ["record of length 0"] = ([0x16, 0x03, 0x01, 0x00, 0x00, 0x01, 0x00], ClientHelloRejection.Malformed),
        ["record over 2^14"] = ([0x16, 0x03, 0x01, 0x40, 0x01, 0x01, 0x00, 0x40, 0x00], ClientHelloRejection.Malformed),
        ["continuation of another record type"] = (Patch(Tls13("api.example.test").Build(60), 5 + 60, 23), ClientHelloRejection.Malformed),
        ["continuation of length 0"] = ([.. Tls13("api.example.test").Build(60)[..65], 0x16, 0x03, 0x01, 0x00, 0x00], ClientHelloRejection.Malformed),
        ["more than 16 KiB"] = (Tls13("api.example.test").PaddedTo(17_000).Build(10_000), ClientHelloRejection.TooLarge),
        ["one byte over 16 KiB in one record"] = (Tls13("api.example.test").PaddedTo(MaxHandshakeInOneRecord + 1).Build(), ClientHelloRejection.TooLarge),

        // ClientHello fields.
        ["truncated in random"] = (Truncated(20), ClientHelloRejection.Malformed),
        ["truncated after session id"] = (Truncated(35 + 32), ClientHelloRejection.Malformed),
        ["truncated in cipher suites"] = (Truncated(35 + 32 + 3), ClientHelloRejection.Malformed),
        ["truncated before compression methods"] = (Truncated(35 + 32 + 2 + 8), ClientHelloRejection.Malformed),
        ["one byte of extensions length"] = (Truncated(35 + 32 + 2 + 8 + 2 + 1), ClientHelloRejection.Malformed),
        ["session id of 33 bytes"] = (Tls13("api.example.test").Apply(b => b.SessionId = Filled(33, 1)).Build(), ClientHelloRejection.Malformed),
        ["no cipher suites"] = (Tls13("api.example.test").Apply(b => b.CipherSuites = []).Build(), ClientHelloRejection.Malformed),
        ["odd cipher suites length"] = (Patch(Tls13("api.example.test").Build(), 9 + 35 + 32 + 1, 7), ClientHelloRejection.Malformed),
        ["no compression methods"] = (Tls13("api.example.test").Apply(b => b.CompressionMethods = []).Build(), ClientHelloRejection.Malformed),
        ["extensions block longer than the hello"] = (Tls13("api.example.test").Apply(b => b.ExtensionsLengthOverride = 1000).Build(), ClientHelloRejection.Malformed),
        ["bytes after the extensions block"] = (Tls13("api.example.test").Apply(b => b.ExtensionsLengthOverride = 60).Build(), ClientHelloRejection.Malformed),
        ["extension longer than the block"] = (OversizeLastExtension(Tls13("api.example.test")), ClientHelloRejection.Malformed),
        ["extension header cut by the block"] = (Tls13("api.example.test").Apply(b => b.ExtensionsLengthOverride = 2).Build(), ClientHelloRejection.Malformed),
        ["ALPN twice"] = (Tls13("api.example.test", "h2").With(Alpn, AlpnData(["h2"])).Build(), ClientHelloRejection.Malformed),
        ["ALPN with an empty protocol"] = (Tls13("api.example.test").With(Alpn, [0x00, 0x03, 0x02, 0x68, 0x32, 0x00]).Build(), ClientHelloRejection.Malformed),
        ["ALPN with an empty list"] = (Tls13("api.example.test").With(Alpn, [0x00, 0x00]).Build(), ClientHelloRejection.Malformed),

        // server_name.
        ["no SNI"] = (Tls13("api.example.test").Without(ServerName).Build(), ClientHelloRejection.NoServerName),
        ["no extensions at all"] = (new ClientHelloBuilder { Extensions = null }.Build(), ClientHelloRejection.NoServerName),
        ["chrome-like without SNI"] = (ChromeLike("www.example.test").Without(ServerName).Build(1000), ClientHelloRejection.NoServerName),
        ["two SNI entries"] = (Tls12("x").Without(ServerName).With(ServerName, ServerNameData((0, "a.example.test"u8.ToArray()), (0, "b.example.test"u8.ToArray()))).Build(), ClientHelloRejection.MultipleServerNames),
        ["SNI entries of two types"] = (Tls12("x").Without(ServerName).With(ServerName, ServerNameData((0, "a.example.test"u8.ToArray()), (1, "b"u8.ToArray()))).Build(), ClientHelloRejection.MultipleServerNames),
        ["two SNI extensions"] = (Tls13("a.example.test").With(ServerName, ServerNameData("b.example.test")).Build(), ClientHelloRejection.MultipleServerNames),
        ["two SNI extensions, same name"] = (Tls13("a.example.test").With(ServerName, ServerNameData("a.example.test")).Build(), ClientHelloRejection.MultipleServerNames),
        ["empty name"] = (Tls13("").Build(), ClientHelloRejection.BadServerName),
        ["name type 1"] = (Tls12("x").Without(ServerName).With(ServerName, ServerNameData((1, "api.example.test"u8.ToArray()))).Build(), ClientHelloRejection.BadServerName),
        ["control byte in name"] = (Tls13("api\u0001.example.test").Build(), ClientHelloRejection.BadServerName),
        ["NUL ending the name"] = (Tls13("api.example.test\0").Build(), ClientHelloRejection.BadServerName),
        ["DEL in name"] = (Tls13("api\u007f.example.test").Build(), ClientHelloRejection.BadServerName),
        ["byte over 0x7F in name"] = (Tls13("caf\u00e9.example.test").Build(), ClientHelloRejection.BadServerName),
        ["name of 256 bytes"] = (Tls13(s_longName + "x").Build(), ClientHelloRejection.BadServerName),
        ["empty server_name list"] = (Tls12("x").Without(ServerName).With(ServerName, [0x00, 0x00]).Build(), ClientHelloRejection.Malformed),
        ["empty server_name extension"] = (Tls12("x").Without(ServerName).With(ServerName, []).Build(), ClientHelloRejection.Malformed),
        ["server_name list length off by one"] = (Tls12("x").Without(ServerName).With(ServerName, Patch(ServerNameData("api.example.test"), 1, 20)).Build(), ClientHelloRejection.Malformed),
        ["name longer than its list"] = (Tls12("x").Without(ServerName).With(ServerName, Patch(ServerNameData("api.example.test"), 4, 40)).Build(), ClientHelloRejection.Malformed),
        ["junk byte after the one name"] = (Tls12("x").Without(ServerName).With(ServerName, [0x00, 0x08, 0x00, 0x00, 0x04, .. "a.ex"u8, 0x00]).Build(), ClientHelloRejection.Malformed),
    };

    // The longest handshake message (its 4-byte header included) that fits the cap in one record.
    private const int MaxHandshakeInOneRecord = ClientHelloReader.MaxHelloSize - 5;

    public static TheoryData<string> ValidHellos => [.. s_valid.Keys];

    public static TheoryData<string> MalformedHellos => [.. s_malformed.Keys];

    // A TLS 1.3 hello whose body stops after `bodyLength` bytes, the handshake header agreeing.
    private static byte[] Truncated(int bodyLength)
    {
        byte[] body = Tls13("api.example.test").Body()[..bodyLength];
        return Records([1, 0, (byte)(body.Length >> 8), (byte)body.Length, .. body], 22, 0x0301);
    }

    // Appends an extension and then makes its length claim 255 bytes: more than the block holds.
    private static byte[] OversizeLastExtension(ClientHelloBuilder builder)
    {
        byte[] bytes = builder.With(0x1234, [1, 2, 3]).Build();
        return Patch(bytes, bytes.Length - 4, 0xff);
    }

    private static byte[] Patch(byte[] bytes, int offset, byte value)
    {
        byte[] copy = [.. bytes];
        copy[offset] = value;
        return copy;
    }

    private static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);
}

internal static class ClientHelloBuilderExtensions
{
    public static ClientHelloBuilder Apply(this ClientHelloBuilder builder, Action<ClientHelloBuilder> change)
    {
        change(builder);
        return builder;
    }
}
