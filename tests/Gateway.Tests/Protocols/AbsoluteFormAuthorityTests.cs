using Gateway.Protocols;

namespace Gateway.Tests.Protocols;

/// <summary>The authority of an absolute-form target (RFC 9112 §3.2.2): split, never judged.</summary>
public sealed class AbsoluteFormAuthorityTests
{
    [Theory]
    [InlineData("http://api.example.test/", "api.example.test", 80)]
    [InlineData("http://api.example.test", "api.example.test", 80)]
    [InlineData("HTTP://Api.Example.Test:8080/x?y#z", "Api.Example.Test", 8080)]
    [InlineData("http://api.example.test?q=1", "api.example.test", 80)]
    [InlineData("http://[::1]:8080/", "[::1]", 8080)]
    [InlineData("http://[::1]/", "[::1]", 80)]
    [InlineData("http://127.0.0.1:65535/", "127.0.0.1", 65535)]
    [InlineData("http://a..b.example.test/", "a..b.example.test", 80)] // judging the name is canonicalisation's job
    public void AnAuthority_IsSplitIntoHostAndPort(string target, string host, int port)
    {
        Assert.True(AbsoluteFormAuthority.TryParse(target, out string parsedHost, out int parsedPort));
        Assert.Equal((host, port), (parsedHost, parsedPort));
    }

    [Theory]
    [InlineData("http:///path")] // empty authority
    [InlineData("http://user:pass@api.example.test/")] // userinfo: a credential leak or a confusion attack
    [InlineData("http://api.example.test@evil.example.test/")]
    [InlineData("http://api.example.test:0/")]
    [InlineData("http://api.example.test:65536/")]
    [InlineData("http://api.example.test:-1/")]
    [InlineData("http://api.example.test:+80/")]
    [InlineData("http://api.example.test:8o/")]
    [InlineData("http://api.example.test:/")]
    public void AMalformedAuthority_IsRefused(string target)
    {
        Assert.False(AbsoluteFormAuthority.TryParse(target, out _, out _));
    }

    [Theory]
    [InlineData("http://a/", true)]
    [InlineData("HtTp://a/", true)]
    [InlineData("/path", false)]
    [InlineData("https://a/", false)]
    [InlineData("a.example.test:443", false)]
    public void OnlyTheHttpScheme_IsAbsoluteFormHere(string target, bool absolute)
    {
        Assert.Equal(absolute, AbsoluteFormAuthority.IsAbsolute(target));
    }
}
