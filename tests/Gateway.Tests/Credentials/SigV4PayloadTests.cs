using Gateway.Credentials;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Credentials;

/// <summary>
/// How a request's payload hash is found before anything is read: a declared hash or literal is
/// signed as sent, no declaration means hashing the body, and the forms that carry signatures the
/// gateway cannot redo (presigned URLs, chunk-signed streams) or a nonsense declaration are refused.
/// </summary>
public sealed class SigV4PayloadTests
{
    [Theory]
    [InlineData("", null, "HashBody", null)]
    [InlineData("", "UNSIGNED-PAYLOAD", "Declared", "UNSIGNED-PAYLOAD")]
    [InlineData("", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Declared", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")]
    [InlineData("", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "Declared", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "SignedStream", null)]
    [InlineData("", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "SignedStream", null)]
    [InlineData("", "abc", "Malformed", null)]
    [InlineData("?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261205&X-Amz-Signature=00", null, "Presigned", null)]
    [InlineData("?x-amz-signature=00", "UNSIGNED-PAYLOAD", "Presigned", null)]
    [InlineData("?list-type=2&prefix=X-Amz", null, "HashBody", null)]
    public void Requests_AreClassifiedFromTheirHead(string query, string? declared, string kind, string? hash)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query.Length == 0 ? null : query);
        if (declared is not null)
        {
            context.Request.Headers["x-amz-content-sha256"] = declared;
        }

        Assert.Equal(new SigV4Payload(Enum.Parse<SigV4PayloadKind>(kind), hash), SigV4Payload.Of(context.Request));
    }

    [Theory]
    [InlineData("Presigned", "presigned URL")]
    [InlineData("SignedStream", "signature per chunk")]
    [InlineData("Malformed", "must be a hex SHA-256")]
    public void Refusals_SayWhyAndNameTheHost(string kind, string why)
    {
        string message = SigV4Payload.Refusal(Enum.Parse<SigV4PayloadKind>(kind), "bedrock-runtime.us-east-1.amazonaws.com");

        Assert.Contains(why, message, StringComparison.Ordinal);
        Assert.Contains("bedrock-runtime.us-east-1.amazonaws.com", message, StringComparison.Ordinal);
    }
}
