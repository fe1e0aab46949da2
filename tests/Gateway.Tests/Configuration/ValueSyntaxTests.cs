using System.Net;
using Gateway.Configuration;

namespace Gateway.Tests.Configuration;

/// <summary>The scalar parsers behind the validator, each over a table of valid and invalid text.</summary>
public class ValueSyntaxTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("0s", 0)]
    public void Duration_Valid(string text, long milliseconds)
    {
        Assert.True(DurationSyntax.TryParse(text, out TimeSpan value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("s")]
    [InlineData("-5s")]
    [InlineData("1.5s")]
    [InlineData("5 s")]
    [InlineData("5S")]
    [InlineData("5d")]
    [InlineData("5mins")]
    [InlineData("999999999h")]
    [InlineData("9999999999s")]
    public void Duration_Invalid(string text) => Assert.False(DurationSyntax.TryParse(text, out _));

    [Theory]
    [InlineData("127.0.0.1:3128", "127.0.0.1:3128")]
    [InlineData("0.0.0.0:1", "0.0.0.0:1")]
    [InlineData("[::1]:65535", "[::1]:65535")]
    [InlineData("[FD00::0001]:80", "[fd00::1]:80")]
    public void Endpoint_Valid(string text, string expected)
    {
        Assert.True(EndpointSyntax.TryParse(text, out IPEndPoint endpoint, out _));
        Assert.Equal(expected, endpoint.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData(":3128")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:+80")]
    [InlineData("127.0.0.01:80")]
    [InlineData("2130706433:80")]
    [InlineData("::1:80")]
    [InlineData("[127.0.0.1]:80")]
    [InlineData("[fe80::1%eth0]:80")]
    [InlineData("localhost:80")]
    public void Endpoint_Invalid(string text) => Assert.False(EndpointSyntax.TryParse(text, out _, out _));

    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("169.254.169.254/32", "169.254.169.254/32")]
    [InlineData("FD00::/8", "fd00::/8")]
    public void Cidr_Valid(string text, string expected)
    {
        Assert.True(CidrSyntax.TryParse(text, out IPNetwork network, out _));
        Assert.Equal(expected, network.ToString());
    }

    [Theory]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.1/16")]
    [InlineData("10.0.0.1/8")]
    [InlineData("fd00::1/8")]
    public void Cidr_Invalid(string text) => Assert.False(CidrSyntax.TryParse(text, out _, out _));

    [Theory]
    [InlineData("0", 0)]
    [InlineData("4096", 4096)]
    [InlineData("512KiB", 512L << 10)]
    [InlineData("100MiB", 100L << 20)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("10MB", 10_000_000)]
    [InlineData("7B", 7)]
    public void ByteSize_Valid(string text, long expected)
    {
        Assert.True(ByteSizeSyntax.TryParse(text, out long bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MiB")]
    [InlineData("10 MiB")]
    [InlineData("10mib")]
    [InlineData("1.5GiB")]
    [InlineData("10TiB")]
    public void ByteSize_Invalid(string text) => Assert.False(ByteSizeSyntax.TryParse(text, out _));

    [Theory]
    [InlineData("socks5://proxy.example.test:1080", "proxy.example.test", 1080)]
    [InlineData("SOCKS5://Proxy.Example.Test.:1080/", "proxy.example.test", 1080)]
    [InlineData("socks5://10.0.0.1:1", "10.0.0.1", 1)]
    [InlineData("socks5://[::1]:1080", "::1", 1080)]
    public void Socks5Url_Valid(string text, string host, int port)
    {
        Assert.True(Socks5UrlSyntax.TryParse(text, out DnsEndPoint endpoint, out _));
        Assert.Equal((host, port), (endpoint.Host, endpoint.Port));
    }

    [Theory]
    [InlineData("proxy.example.test:1080")]
    [InlineData("socks5h://proxy.example.test:1080")]
    [InlineData("socks5://")]
    [InlineData("socks5://proxy.example.test")]
    [InlineData("socks5://proxy.example.test:1080?x=1")]
    [InlineData("socks5://user@proxy.example.test:1080")]
    [InlineData("socks5://127.1:1080")]
    public void Socks5Url_Invalid(string text) => Assert.False(Socks5UrlSyntax.TryParse(text, out _, out _));

    [Theory]
    [InlineData("10.209.0.2", true, "10.209.0.2")]
    [InlineData("::ffff:10.209.0.2", true, "10.209.0.2")]
    [InlineData("::ffff:10.209.0.2", false, "::ffff:10.209.0.2")]
    [InlineData("[fd00::2]", true, "fd00::2")]
    public void Ip_Valid(string text, bool fold, string expected)
    {
        Assert.True(IpSyntax.TryParse(text, fold, out IPAddress address));
        Assert.Equal(expected, address.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("127.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("010.0.0.1")]
    [InlineData("2130706433")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[fd00::2")]
    [InlineData("host.example.test")]
    public void Ip_Invalid(string text) => Assert.False(IpSyntax.TryParse(text, foldMapped: true, out _));
}
