using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Gateway.Credentials;
using Gateway.Tests.Interception;

namespace Gateway.Tests.Credentials;

/// <summary>
/// Re-signing checked by botocore, an independent implementation: requests signed by the sandbox
/// with placeholder keys come out signed with the real keys over what the upstream receives
/// (bodies, UNSIGNED-PAYLOAD, S3 and double-encoded paths, queries, folded headers, session
/// tokens), and botocore rejects them under a wrong secret, a wrong token or a changed header.
/// </summary>
public sealed class SigV4ResignerTests
{
    private const string KeyId = "AKIAREALKEYEXAMPLE01";
    private const string Secret = "real/Secret+Key0123456789abcdefghijklmnop";
    private const string Token = "FwoGZXIvYXdzEREAL//session+token/value==";
    private const string PlaceholderKey = "AKIAPLACEHOLDER00001";
    private static readonly DateTimeOffset s_now = new(2026, 12, 5, 17, 30, 12, TimeSpan.Zero);

    [BotocoreFact]
    public async Task ResignedRequests_VerifyWithBotocoreAndTheRealKeys()
    {
        List<(HttpRequestMessage Message, byte[] Body, string? Token, SigV4Scope Scope)> requests = [];
        requests.Add(Build(HttpMethod.Get, "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-v2/invoke?x=1&a=b%20c", [],
            [("X-Custom", "  a   b "), ("Authorization", Sandbox("us-east-1", "bedrock", "host;x-amz-date;x-custom"))], null, new("us-east-1", "bedrock"), token: null));
        byte[] json = Encoding.UTF8.GetBytes("{\"prompt\":\"Human: hi\\n\\nAssistant:\",\"max_tokens_to_sample\":50}");
        requests.Add(Build(HttpMethod.Post, "https://bedrock-runtime.us-west-2.amazonaws.com/model/m/invoke", json,
            [("X-Amz-Security-Token", "gw-placeholder-token"), ("Authorization", Sandbox("us-west-2", "bedrock", "content-type;host;x-amz-date;x-amz-security-token"))],
            "application/json", new("us-west-2", "bedrock"), Token));
        requests.Add(Build(HttpMethod.Put, "https://s3.us-west-2.amazonaws.com/bucket/a%20key%2Bplus/~x", Encoding.UTF8.GetBytes("object body"),
            [("x-amz-content-sha256", SigV4Payload.Unsigned), ("Content-MD5", "q0ZV0s0RvCR3aYXA3MIG8w=="), ("x-amz-meta-owner", "agent")],
            "application/octet-stream", new("us-west-2", "s3"), Token));
        requests.Add(Build(HttpMethod.Get, "https://s3.amazonaws.com/bucket?list-type=2&prefix=a%2Fb", [],
            [("x-amz-content-sha256", SigV4Signer.EmptyPayloadHash)], null, new("us-east-1", "s3"), token: null));
        requests.Add(Build(HttpMethod.Get, "https://execute-api.example.test:8443/stage/a%20b/c%2Fd", [],
            [("X-Amz-Meta-Multi", "one"), ("X-Amz-Meta-Multi", "two")], null, new("eu-central-1", "execute-api"), token: null));
        byte[] form = Encoding.UTF8.GetBytes("Action=GetCallerIdentity&Version=2011-06-15");
        requests.Add(Build(HttpMethod.Post, "https://sts.example.test/", form, [], "application/x-www-form-urlencoded; charset=utf-8", new("us-east-1", "sts"), Token));

        var cases = new List<VerifyCase>();
        foreach ((HttpRequestMessage message, byte[] body, string? token, SigV4Scope scope) in requests)
        {
            Assert.DoesNotContain(PlaceholderKey, message.Headers.NonValidated["Authorization"].ToString(), StringComparison.Ordinal);
            Assert.Equal(["20261205T173012Z"], message.Headers.GetValues("X-Amz-Date"));
            Assert.Equal(token is null ? [] : [token], message.Headers.TryGetValues("X-Amz-Security-Token", out var t) ? t : []);
            cases.Add(Received(message, body, Secret, token, scope));
        }

        // The same requests under a wrong secret, a wrong token, and with a signed header changed after signing.
        cases.Add(cases[0] with { Secret = "wrong" + Secret[5..] });
        cases.Add(cases[1] with { Token = Token + "x" });
        cases.Add(cases[2] with { Headers = [.. cases[2].Headers.Select(h => h[0] == "x-amz-meta-owner" ? new[] { h[0], "someone-else" } : h)] });
        cases.Add(cases[5] with { BodyHex = Convert.ToHexString(Encoding.UTF8.GetBytes("Action=AssumeRole&Version=2011-06-15")) });

        string[] verdicts = await Botocore.CheckAsync(cases);

        Assert.Equal(["ok", "ok", "ok", "ok", "ok", "ok"], verdicts[..6]);
        Assert.Equal("SignatureDoesNotMatch", verdicts[6]);
        Assert.Equal("x-amz-security-token is not the real session token", verdicts[7]);
        Assert.Equal("SignatureDoesNotMatch", verdicts[8]);
        Assert.Equal("SignatureDoesNotMatch", verdicts[9]);
    }

    [Fact]
    public void FoldedHeaders_GoOutOnOneLine()
    {
        (HttpRequestMessage message, _, _, _) = Build(HttpMethod.Get, "https://s3.amazonaws.com/b/k", [],
            [("x-amz-meta-multi", "one"), ("x-amz-meta-multi", "two")], null, new("us-east-1", "s3"), token: null);

        Assert.Equal(["one,two"], message.Headers.NonValidated["x-amz-meta-multi"]);
        Assert.Contains("x-amz-meta-multi", message.Headers.NonValidated["Authorization"].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void S3WithoutADeclaredHash_GetsOne()
    {
        (HttpRequestMessage message, _, _, _) = Build(HttpMethod.Get, "https://s3.amazonaws.com/b/k", [], [], null, new("us-east-1", "s3"), token: null);

        Assert.Equal([SigV4Signer.EmptyPayloadHash], message.Headers.GetValues("x-amz-content-sha256"));
    }

    private static string Sandbox(string region, string service, string signedHeaders) =>
        $"AWS4-HMAC-SHA256 Credential={PlaceholderKey}/20261205/{region}/{service}/aws4_request, SignedHeaders={signedHeaders}, Signature={new string('0', 64)}";

    private static (HttpRequestMessage, byte[], string?, SigV4Scope) Build(
        HttpMethod method, string url, byte[] body, (string Name, string Value)[] headers, string? contentType, SigV4Scope scope, string? token)
    {
        var message = new HttpRequestMessage(method, url);
        string? sent = null;
        foreach ((string name, string value) in headers)
        {
            if (name == "Authorization")
            {
                sent = value;
            }

            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (body.Length > 0 || contentType is not null)
        {
            message.Content = new ByteArrayContent(body);
            message.Content.Headers.ContentLength = body.Length;
            if (contentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        string payload = message.Headers.TryGetValues("x-amz-content-sha256", out var declared) ? declared.Single() : Convert.ToHexStringLower(SHA256.HashData(body));
        Uri uri = message.RequestUri!;
        string host = uri.IsDefaultPort ? uri.Host : uri.Host + ":" + uri.Port;
        new SigV4Resigner(new SigV4SigningKeys(), new ManualClock(s_now)).Sign(message, host, scope, sent, payload, KeyId, Secret, token);
        return (message, body, token, scope);
    }

    // What the upstream receives: the request line's target and one line per header.
    private static VerifyCase Received(HttpRequestMessage message, byte[] body, string secret, string? token, SigV4Scope scope)
    {
        var lines = new List<string[]>();
        foreach (KeyValuePair<string, HeaderStringValues> header in message.Headers.NonValidated)
        {
            lines.Add([header.Key, string.Join(", ", header.Value)]);
        }

        if (message.Content is { } content)
        {
            foreach (KeyValuePair<string, HeaderStringValues> header in content.Headers.NonValidated)
            {
                lines.Add([header.Key, string.Join(", ", header.Value)]);
            }
        }

        return new VerifyCase(message.Method.Method, message.RequestUri!.PathAndQuery, [.. lines], Convert.ToHexString(body), KeyId, secret, token, scope.Region, scope.Service);
    }
}
