using System.Text;
using PolicyCompiler.Hosts;

namespace PolicyCompiler.Tests.Hosts;

public class IpLiteralTests
{
    [Theory]
    [InlineData("0.0.0.0", 0x0000_0000u)]
    [InlineData("127.0.0.1", 0x7F00_0001u)]
    [InlineData("192.0.2.1", 0xC000_0201u)]
    [InlineData("10.0.0.255", 0x0A00_00FFu)]
    [InlineData("255.255.255.255", 0xFFFF_FFFFu)]
    [InlineData("1.22.133.4", 0x0116_8504u)]
    public void TryParseIPv4_StrictDottedQuad_IsAccepted(string text, uint expected)
    {
        Assert.True(IpLiteral.TryParseIPv4(Encoding.ASCII.GetBytes(text), out uint address));
        Assert.Equal(expected, address);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.")]
    [InlineData(".1.2.3.4")]
    [InlineData("1.2.3.4.5")]
    [InlineData("1..2.3")]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3.256")]
    [InlineData("1000.1.1.1")]
    [InlineData("01.2.3.4")]            // octal in inet_aton
    [InlineData("1.2.3.04")]
    [InlineData("0177.0.0.1")]
    [InlineData("0x7f.0.0.1")]          // hex in inet_aton
    [InlineData("2130706433")]          // decimal in inet_aton
    [InlineData("127.1")]               // short form in inet_aton
    [InlineData("127.0.1")]
    [InlineData("127.0.0.01")]
    [InlineData("+1.2.3.4")]
    [InlineData("1.2.3.-4")]
    [InlineData("1.2.3.4 ")]
    [InlineData(" 1.2.3.4")]
    [InlineData("1.2.3.4/32")]
    public void TryParseIPv4_AnythingButAStrictDottedQuad_IsRefused(string text)
    {
        Assert.False(IpLiteral.TryParseIPv4(Encoding.ASCII.GetBytes(text), out _));
    }

    [Theory]
    [InlineData("::", "::")]
    [InlineData("::1", "::1")]
    [InlineData("1::", "1::")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:DB8::1", "2001:db8::1")]
    [InlineData("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1")]
    [InlineData("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8")]
    [InlineData("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0")]
    [InlineData("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8")]
    [InlineData("fe80::1", "fe80::1")]
    [InlineData("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304")]
    [InlineData("64:ff9b::192.0.2.1", "64:ff9b::c000:201")]
    [InlineData("::ffff:1.2.3.4", "1.2.3.4")]
    [InlineData("::ffff:102:304", "1.2.3.4")]
    public void TryParseIPv6_Rfc4291Forms_AreAccepted(string text, string expected)
    {
        Assert.True(IpLiteral.TryParseIPv6(Encoding.ASCII.GetBytes(text), out UInt128 address));
        Assert.Equal(expected, IpLiteral.Format(address));
    }

    [Theory]
    [InlineData("")]
    [InlineData(":")]
    [InlineData(":::")]
    [InlineData("1:::2")]
    [InlineData("1::2::3")]
    [InlineData(":1::")]
    [InlineData("1:")]
    [InlineData("1::2:")]
    [InlineData("1:2:3:4:5:6:7")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("1:2:3:4:5:6:7:8::")]
    [InlineData("::1:2:3:4:5:6:7:8")]
    [InlineData("12345::")]             // five-digit group
    [InlineData("::00001")]
    [InlineData("g::1")]
    [InlineData("fe80::1%eth0")]        // zone ids are refused
    [InlineData("fe80::1%25eth0")]
    [InlineData("::ffff:1.2.3")]
    [InlineData("::ffff:256.1.1.1")]
    [InlineData("::ffff:01.2.3.4")]
    [InlineData("::1.2.3.4:5")]
    [InlineData("1:2:3:4:5:6:7:1.2.3.4")]
    [InlineData("1.2.3.4")]
    [InlineData("[::1]")]               // brackets belong to the host syntax, not the literal
    [InlineData("::1 ")]
    public void TryParseIPv6_MalformedText_IsRefused(string text)
    {
        Assert.False(IpLiteral.TryParseIPv6(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void TryParseIPv6_IPv4Mapped_IsTheSameAddressAsTheIPv4Literal()
    {
        Assert.True(IpLiteral.TryParseIPv6("::ffff:192.0.2.1"u8, out UInt128 mapped));

        Assert.Equal(IpLiteral.MapIPv4(0xC000_0201), mapped);
        Assert.True(IpLiteral.TryUnmapIPv4(mapped, out uint v4));
        Assert.Equal(0xC000_0201u, v4);
    }

    [Theory]
    [InlineData("[::ffff:1.2.3.4]", HostKind.IPv4)]
    [InlineData("[::ffff:0102:0304]", HostKind.IPv4)]
    [InlineData("[::1.2.3.4]", HostKind.IPv6)]          // IPv4-compatible is a different, deprecated form
    [InlineData("[64:ff9b::1.2.3.4]", HostKind.IPv6)]
    [InlineData("[::1]", HostKind.IPv6)]
    public void Canonicalize_IPv4MappedIPv6_FoldsToTheIPv4Kind(string host, HostKind expected)
    {
        Assert.NotNull(HostCanonicalizer.Canonicalize(host, out HostKind kind, out _));
        Assert.Equal(expected, kind);
    }

    [Theory]
    [InlineData("::1")]
    [InlineData("2001:db8::")]
    [InlineData("::ffff:1.2.3.4")]
    public void TryUnmapIPv4_IsTrueOnlyForIPv4MappedAddresses(string text)
    {
        Assert.True(IpLiteral.TryParseIPv6(Encoding.ASCII.GetBytes(text), out UInt128 address));

        Assert.Equal(text.StartsWith("::ffff:", StringComparison.Ordinal), IpLiteral.TryUnmapIPv4(address, out _));
    }
}
