using System.Buffers;
using System.Text;
using Gateway.Protocols;

namespace Gateway.Tests.Protocols;

/// <summary>The first look of the transparent HTTP listener: HTTP, not HTTP, or not yet decidable, on every prefix and split.</summary>
public sealed class HttpRequestProbeTests
{
    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n", "Http")]
    [InlineData("CONNECT a:1 HTTP/1.1\r\n", "Http")]
    [InlineData("OPTIONS * HTTP/1.1\r\n", "Http")]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n", "NotHttp")]
    [InlineData("get / HTTP/1.1\r\n", "NotHttp")] // methods in use are upper case
    [InlineData(" GET / HTTP/1.1\r\n", "NotHttp")]
    [InlineData("PROPPATCHX / HTTP/1.1\r\n", "NotHttp")] // no method this long is spoken here
    [InlineData("\u0016\u0003\u0001\u0000\u0005", "NotHttp")] // a TLS record
    [InlineData("GE", "NeedMore")]
    [InlineData("", "NeedMore")]
    public void TheFirstBytes_SayWhatTheConnectionSpeaks(string text, string expected)
    {
        Assert.Equal(Enum.Parse<HttpProbeResult>(expected), HttpRequestProbe.Probe(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(text))));
    }

    [Fact]
    public void EveryPrefixOfARequestLine_NeedsMore_UntilItsSpace_AndEverySplitAgrees()
    {
        byte[] line = "DELETE /x HTTP/1.1\r\n"u8.ToArray();
        int space = Array.IndexOf(line, (byte)' ');
        for (int length = 0; length <= line.Length; length++)
        {
            HttpProbeResult whole = HttpRequestProbe.Probe(new ReadOnlySequence<byte>(line, 0, length));
            Assert.Equal(length <= space ? HttpProbeResult.NeedMore : HttpProbeResult.Http, whole);
            for (int split = 0; split <= length; split++)
            {
                Assert.Equal(whole, HttpRequestProbe.Probe(TestSequenceSegment.Split(line.AsSpan(0, length).ToArray(), split)));
            }
        }
    }
}
