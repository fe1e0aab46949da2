using System.Text;
using LoadDriver.Load;
using LoadDriver.Origin;

namespace LoadDriver.Tests.Load;

public class ResponseVerifierTests
{
    [Fact]
    public void OriginResponse_Verifies()
    {
        byte[] response = Respond("GET /1000 HTTP/1.1\r\nHost: a.example.test\r\n");
        Assert.Equal(VerifyOutcome.Ok, new ResponseVerifier(1000).Verify(response, out int consumed));
        Assert.Equal(response.Length, consumed);
    }

    [Fact]
    public void EveryPrefix_IsIncomplete()
    {
        byte[] response = Respond("GET /300 HTTP/1.1\r\nHost: a\r\n");
        var verifier = new ResponseVerifier(300);
        for (int length = 0; length < response.Length; length++)
        {
            Assert.Equal(VerifyOutcome.Incomplete, verifier.Verify(response.AsSpan(0, length), out _));
        }
    }

    [Fact]
    public void OneWrongBodyByte_IsAnError()
    {
        byte[] response = Respond("GET /500 HTTP/1.1\r\nHost: a\r\n");
        response[^250] ^= 0x20;
        Assert.Equal(VerifyOutcome.BadBody, new ResponseVerifier(500).Verify(response, out _));
    }

    [Fact]
    public void AnotherLength_IsAnError_BeforeTheBodyArrives()
    {
        byte[] response = Respond("GET /64 HTTP/1.1\r\nHost: a\r\n");
        int headLength = response.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        Assert.Equal(VerifyOutcome.BadBody, new ResponseVerifier(128).Verify(response.AsSpan(0, headLength), out _));
    }

    [Fact]
    public void AProxyError_IsAnError()
    {
        byte[] response = Encoding.ASCII.GetBytes("HTTP/1.1 403 Forbidden\r\nContent-Length: 7\r\n\r\nblocked");
        Assert.Equal(VerifyOutcome.BadStatus, new ResponseVerifier(128).Verify(response, out int consumed));
        Assert.Equal(response.Length, consumed);
    }

    [Theory]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n")]
    public void MalformedHeads_AreErrors(string head)
    {
        Assert.Equal(VerifyOutcome.BadHead, new ResponseVerifier(0).Verify(Encoding.ASCII.GetBytes(head), out _));
    }

    [Fact]
    public void ExpectedHeader_MustBePresentWithItsValue()
    {
        var verifier = new ResponseVerifier(16, OriginServer.SeenAuthorizationHeader("Bearer t0ken"));
        Assert.Equal(VerifyOutcome.Ok, verifier.Verify(Respond("GET /16 HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t0ken\r\n"), out _));
        Assert.Equal(VerifyOutcome.BadHeader, verifier.Verify(Respond("GET /16 HTTP/1.1\r\nHost: a\r\n"), out _));
        Assert.Equal(VerifyOutcome.BadHeader, verifier.Verify(Respond("GET /16 HTTP/1.1\r\nHost: a\r\nauthorization: Bearer other\r\n"), out _));
    }

    [Fact]
    public void Origin_AnswersTheAuthorizationsDigest_NeverItsValue()
    {
        byte[] response = Respond("GET /16 HTTP/1.1\r\nHost: h0.example.test\r\nAuthorization: Bearer t0ken\r\n\r\n");
        string text = Encoding.ASCII.GetString(response);

        Assert.DoesNotContain("t0ken", text, StringComparison.Ordinal);
        Assert.Equal(VerifyOutcome.Ok, new ResponseVerifier(16, OriginServer.SeenAuthorizationHeader("Bearer t0ken")).Verify(response, out _));
        Assert.Equal(VerifyOutcome.BadHeader, new ResponseVerifier(16, OriginServer.SeenAuthorizationHeader("Bearer other")).Verify(response, out _));
    }

    [Fact]
    public void Origin_RefusesWhatItCannotServe()
    {
        Assert.Equal(VerifyOutcome.BadStatus, new ResponseVerifier(0).Verify(Respond("GET /nope HTTP/1.1\r\n"), out _));
        Assert.Equal(VerifyOutcome.BadStatus, new ResponseVerifier(0).Verify(Respond($"GET /{OriginBody.MaxSize + 1} HTTP/1.1\r\n"), out _));
    }

    private static byte[] Respond(string head)
    {
        var response = new byte[OriginBody.MaxSize + 1024];
        int length = OriginServer.BuildResponse(Encoding.ASCII.GetBytes(head), response);
        return response[..length];
    }
}
