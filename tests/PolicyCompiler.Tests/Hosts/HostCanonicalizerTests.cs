using System.Text;
using PolicyCompiler.Hosts;

namespace PolicyCompiler.Tests.Hosts;

public class HostCanonicalizerTests
{
    private static readonly string s_label63 = new('a', 63);

    // 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253: the longest name DNS allows.
    private static readonly string s_name253 = $"{s_label63}.{s_label63}.{s_label63}.{new string('b', 61)}";

    public static TheoryData<string, string, HostKind> ValidHosts => new()
    {
        { "example.com", "example.com", HostKind.Name },
        { "Example.COM", "example.com", HostKind.Name },
        { "API.Example.Test", "api.example.test", HostKind.Name },
        { "example.com.", "example.com", HostKind.Name },
        { "EXAMPLE.COM.", "example.com", HostKind.Name },
        { "_acme.example.com", "_acme.example.com", HostKind.Name },
        { "a-b.example.com", "a-b.example.com", HostKind.Name },
        { "localhost", "localhost", HostKind.Name },
        { "localhost.", "localhost", HostKind.Name },
        { "bücher.example", "xn--bcher-kva.example", HostKind.Name },
        { "BÜCHER.example", "xn--bcher-kva.example", HostKind.Name },
        { "Bücher.Example.", "xn--bcher-kva.example", HostKind.Name },
        { "xn--bcher-kva.example", "xn--bcher-kva.example", HostKind.Name },
        { "XN--BCHER-KVA.EXAMPLE", "xn--bcher-kva.example", HostKind.Name },
        { "example\u3002com", "example.com", HostKind.Name },       // ideographic full stop
        { "example\uFF0Ecom", "example.com", HostKind.Name },       // fullwidth full stop
        { "example\uFF61com", "example.com", HostKind.Name },       // halfwidth ideographic full stop
        { "example.com\u3002", "example.com", HostKind.Name },      // a full-width trailing dot is still one trailing dot
        { "bücher\u3002example", "xn--bcher-kva.example", HostKind.Name },
        { "bu\u0308cher.example", "xn--bcher-kva.example", HostKind.Name },   // UTS 46 normalises to NFC
        { "\uFF25\uFF38\uFF21\uFF2D\uFF30\uFF2C\uFF25.com", "example.com", HostKind.Name }, // full-width letters map to ASCII
        { "fa\u00DF.example", "xn--fa-hia.example", HostKind.Name },          // nontransitional: ß stays ß
        { $"{s_label63}.example.com", $"{s_label63}.example.com", HostKind.Name },
        { s_name253, s_name253, HostKind.Name },
        { s_name253 + ".", s_name253, HostKind.Name },
        { "127.0.0.1", "127.0.0.1", HostKind.IPv4 },
        { "0.0.0.0", "0.0.0.0", HostKind.IPv4 },
        { "255.255.255.255", "255.255.255.255", HostKind.IPv4 },
        { "[::1]", "::1", HostKind.IPv6 },
        { "::1", "::1", HostKind.IPv6 },
        { "[2001:DB8:0:0::1]", "2001:db8::1", HostKind.IPv6 },
        { "[::ffff:192.0.2.1]", "192.0.2.1", HostKind.IPv4 },
        { "[::FFFF:c000:0201]", "192.0.2.1", HostKind.IPv4 },
    };

    public static TheoryData<string, HostError> InvalidHosts => new()
    {
        { "", HostError.Empty },
        { ".", HostError.EmptyLabel },
        { "example.com..", HostError.EmptyLabel },
        { "a..com", HostError.EmptyLabel },
        { ".example.com", HostError.EmptyLabel },
        { $"{s_label63}a.example.com", HostError.LabelTooLong },
        { "a" + s_name253, HostError.TooLong },
        { "a" + s_name253 + ".", HostError.TooLong },
        { new string('a', 300) + ".com", HostError.TooLong },
        { "exa mple.com", HostError.InvalidCharacter },
        { "example.com ", HostError.InvalidCharacter },
        { "exa\tmple.com", HostError.InvalidCharacter },
        { "example.com\n", HostError.InvalidCharacter },
        { "exa\0mple.com", HostError.InvalidCharacter },
        { "example.com/path", HostError.InvalidCharacter },
        { "user@example.com", HostError.InvalidCharacter },
        { "example.com%2e", HostError.InvalidCharacter },
        { "*.example.com", HostError.InvalidCharacter },
        { "bü cher.example", HostError.InvalidCharacter },
        { "\u00A0example.com", HostError.InvalidCharacter },    // no-break space
        { "bücher.example\u0000", HostError.InvalidCharacter },
        { "-example.com", HostError.HyphenAtLabelEdge },
        { "example-.com", HostError.HyphenAtLabelEdge },
        { "2130706433", HostError.NonCanonicalIPv4 },
        { "0x7f.0.0.1", HostError.NonCanonicalIPv4 },
        { "0x7f000001", HostError.NonCanonicalIPv4 },
        { "0177.0.0.1", HostError.NonCanonicalIPv4 },
        { "127.1", HostError.NonCanonicalIPv4 },
        { "127.0.1", HostError.NonCanonicalIPv4 },
        { "127.0.0.01", HostError.NonCanonicalIPv4 },
        { "256.0.0.1", HostError.NonCanonicalIPv4 },
        { "1.2.3.4.5", HostError.NonCanonicalIPv4 },
        { "example.123", HostError.NonCanonicalIPv4 },
        { "[::1", HostError.InvalidIPv6 },
        { "[]", HostError.InvalidIPv6 },
        { "[fe80::1%eth0]", HostError.InvalidIPv6 },
        { "[fe80::1%25eth0]", HostError.InvalidIPv6 },
        { "[127.0.0.1]", HostError.InvalidIPv6 },
        { "example.com:443", HostError.InvalidIPv6 },
        { "bücher..example", HostError.InvalidIdn },
        { "example.com.\u3002", HostError.InvalidIdn },    // two trailing dots, one of them full-width
    };

    [Theory]
    [MemberData(nameof(ValidHosts))]
    public void Canonicalize_ValidHost_GivesItsCanonicalForm(string host, string expected, HostKind expectedKind)
    {
        string? canonical = HostCanonicalizer.Canonicalize(host, out HostKind kind, out HostError error);

        Assert.Equal(HostError.None, error);
        Assert.Equal(expected, canonical);
        Assert.Equal(expectedKind, kind);
    }

    [Theory]
    [MemberData(nameof(ValidHosts))]
    public void TryCanonicalize_Utf8BytesOfAValidHost_AgreeWithTheTextForm(string host, string expected, HostKind expectedKind)
    {
        Span<byte> buffer = stackalloc byte[HostCanonicalizer.BufferSize];
        HostError error = HostCanonicalizer.TryCanonicalize(Encoding.UTF8.GetBytes(host), buffer, out int length, out HostKind kind, out UInt128 address);

        Assert.Equal(HostError.None, error);
        Assert.Equal(expectedKind, kind);
        string canonical = kind == HostKind.Name ? Encoding.ASCII.GetString(buffer[..length]) : IpLiteral.Format(address);
        Assert.Equal(expected, canonical);
    }

    [Theory]
    [MemberData(nameof(InvalidHosts))]
    public void Canonicalize_InvalidHost_IsRefusedWithTheReason(string host, HostError expected)
    {
        string? canonical = HostCanonicalizer.Canonicalize(host, out _, out HostError error);

        Assert.Null(canonical);
        Assert.Equal(expected, error);
    }

    [Theory]
    [MemberData(nameof(InvalidHosts))]
    public void TryCanonicalize_Utf8BytesOfAnInvalidHost_AreRefusedWithTheSameReason(string host, HostError expected)
    {
        Span<byte> buffer = stackalloc byte[HostCanonicalizer.BufferSize];
        HostError error = HostCanonicalizer.TryCanonicalize(Encoding.UTF8.GetBytes(host), buffer, out _, out _, out _);

        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("ff")]              // never valid in UTF-8
    [InlineData("80")]              // a lone continuation byte
    [InlineData("c3")]              // truncated two-byte sequence
    [InlineData("c3 28")]           // bad continuation byte
    [InlineData("c0 ae")]           // overlong '.'
    [InlineData("e0 80 ae")]        // overlong '.', three bytes
    [InlineData("ed a0 80")]        // an encoded UTF-16 surrogate
    [InlineData("f4 90 80 80")]     // beyond U+10FFFF
    public void TryCanonicalize_InvalidUtf8_IsRefusedAsInvalidIdn(string hex)
    {
        byte[] bad = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
        byte[] host = [.. "b"u8, .. bad, .. ".example"u8];
        Span<byte> buffer = stackalloc byte[HostCanonicalizer.BufferSize];

        HostError error = HostCanonicalizer.TryCanonicalize(host, buffer, out int length, out _, out _);

        Assert.Equal(HostError.InvalidIdn, error);
        Assert.Equal(0, length);
    }

    [Fact]
    public void TryCanonicalize_AsciiBytes_AreWrittenLowerCaseWithoutTheTrailingDot()
    {
        Span<byte> buffer = stackalloc byte[HostCanonicalizer.BufferSize];

        HostError error = HostCanonicalizer.TryCanonicalize("Api.EXAMPLE.test."u8, buffer, out int length, out HostKind kind, out _);

        Assert.Equal(HostError.None, error);
        Assert.Equal(HostKind.Name, kind);
        Assert.Equal("api.example.test"u8.ToArray(), buffer[..length].ToArray());
    }

    [Fact]
    public void TryCanonicalize_IpLiteral_SetsTheAddressAndWritesNothing()
    {
        Span<byte> buffer = stackalloc byte[HostCanonicalizer.BufferSize];

        HostError error = HostCanonicalizer.TryCanonicalize("192.0.2.1"u8, buffer, out int length, out HostKind kind, out UInt128 address);

        Assert.Equal(HostError.None, error);
        Assert.Equal(HostKind.IPv4, kind);
        Assert.Equal(0, length);
        Assert.Equal(IpLiteral.MapIPv4(0xC000_0201), address);
    }

    [Fact]
    public void TryCanonicalize_IPv4MappedIPv6_HasTheAddressOfTheIPv4Literal()
    {
        Span<byte> buffer = stackalloc byte[HostCanonicalizer.BufferSize];
        HostCanonicalizer.TryCanonicalize("192.0.2.1"u8, buffer, out _, out _, out UInt128 v4);

        HostError error = HostCanonicalizer.TryCanonicalize("[::ffff:192.0.2.1]"u8, buffer, out _, out HostKind kind, out UInt128 mapped);

        Assert.Equal(HostError.None, error);
        Assert.Equal(HostKind.IPv4, kind);
        Assert.Equal(v4, mapped);
    }

    [Fact]
    public void TryCanonicalize_VeryLongNonAsciiText_IsRefusedAsTooLong()
    {
        string host = string.Concat(Enumerable.Repeat("ü.", 600)) + "example";

        Assert.Null(HostCanonicalizer.Canonicalize(host, out _, out HostError error));
        Assert.Equal(HostError.TooLong, error);
    }

    [Theory]
    [InlineData(HostError.Empty, "empty host")]
    [InlineData(HostError.TooLong, "253")]
    [InlineData(HostError.EmptyLabel, "remove the extra dot")]
    [InlineData(HostError.LabelTooLong, "63")]
    [InlineData(HostError.InvalidCharacter, "letters, digits")]
    [InlineData(HostError.HyphenAtLabelEdge, "'-'")]
    [InlineData(HostError.NonCanonicalIPv4, "\"127.0.0.1\"")]
    [InlineData(HostError.InvalidIPv6, "brackets")]
    [InlineData(HostError.InvalidIdn, "punycode")]
    public void Describe_EveryHostError_NamesTheFix(HostError error, string hint)
    {
        Assert.Contains(hint, HostErrorMessages.Describe(error), StringComparison.Ordinal);
    }
}
