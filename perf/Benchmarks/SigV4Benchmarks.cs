using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Gateway.Credentials;

namespace Benchmarks;

/// <summary>
/// SigV4 re-signing of an intercepted Bedrock InvokeModel request with a 4 KiB JSON body (the
/// budget: ≤ 20 µs): the body's SHA-256 (what the gateway computes when no x-amz-content-sha256
/// is sent) plus <see cref="SigV4Resigner.Sign"/> on the outgoing message (drop the sandbox's
/// signature, token and date, set the real ones, canonical request, string to sign, HMAC with the
/// cached signing key). The baseline is the body hash alone; the signer alone, over spans, shows
/// what the HttpRequestMessage header work adds. Allocations: the x-amz-date and Authorization
/// strings the message must carry, and the header bookkeeping of HttpHeaders; everything else is
/// pooled or on the stack.
/// </summary>
public class SigV4Benchmarks
{
    private const string SandboxAuthorization =
        "AWS4-HMAC-SHA256 Credential=AKIAGWPHQ7K2M4X9B3ZT/20261205/us-east-1/bedrock/aws4_request, SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token, Signature=0f6b3c1de7a2b8b8c3c6f1e9d2a4a5b6c7d8e9f00112233445566778899aabbcc";

    private readonly SigV4Resigner _resigner = new(new SigV4SigningKeys(), TimeProvider.System);
    private readonly SigV4SigningKeys _keys = new();
    private readonly SigV4Scope _scope = new("us-east-1", "bedrock");
    private byte[] _body = null!;
    private HttpRequestMessage _message = null!;
    private SigV4Header[] _headers = null!;

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder("{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":1024,\"messages\":[{\"role\":\"user\",\"content\":\"");
        while (text.Length < 4096 - 4)
        {
            text.Append("lorem ipsum dolor sit amet ");
        }

        _body = Encoding.UTF8.GetBytes(text.ToString(0, 4096 - 4) + "\"}]}");
        _message = new HttpRequestMessage(HttpMethod.Post, "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke");
        _message.Headers.TryAddWithoutValidation("Accept", "application/json");
        _message.Headers.TryAddWithoutValidation("User-Agent", "aws-cli/2.9.19 Python/3.11.2 Linux/6.1.0 source/x86_64.debian.12");
        _message.Headers.TryAddWithoutValidation("X-Amz-Date", "20261205T173012Z");
        _message.Headers.TryAddWithoutValidation("X-Amz-Security-Token", "gw-placeholder-0123456789abcdef0123456789abcdef");
        _message.Headers.TryAddWithoutValidation("Authorization", SandboxAuthorization);
        _message.Content = new ByteArrayContent(_body);
        _message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        _message.Content.Headers.ContentLength = _body.Length;
        _headers =
        [
            new("Accept", "application/json"),
            new("Content-Type", "application/json"),
            new("Host", "bedrock-runtime.us-east-1.amazonaws.com"),
            new("X-Amz-Date", "20261205T173012Z"),
            new("X-Amz-Security-Token", "IQoJb3JpZ2luX2VjEREAL/session/token+value=="),
        ];
    }

    [Benchmark(Baseline = true, Description = "SHA-256 of the 4 KiB body (hex)")]
    public string HashBody() => BodyHash();

    [Benchmark(Description = "re-sign: body hash + SigV4Resigner.Sign on the message")]
    public void Resign()
    {
        string hash = BodyHash();
        _message.Headers.Remove("Authorization");
        _message.Headers.TryAddWithoutValidation("Authorization", SandboxAuthorization);
        _resigner.Sign(_message, "bedrock-runtime.us-east-1.amazonaws.com", _scope, SandboxAuthorization, hash,
            "AKIAREALGATEWAYKEY01", "Real/SecretAccessKey+0123456789abcdefghij", "IQoJb3JpZ2luX2VjEREAL/session/token+value==");
    }

    [Benchmark(Description = "signer alone over spans (Authorization value)")]
    public string SignerAlone()
    {
        var input = new SigV4Input
        {
            Method = "POST",
            Path = "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke",
            Query = "",
            Headers = _headers,
            PayloadHash = "9f2c4a1e0b7d6c5f4e3d2c1b0a99887766554433221100ffeeddccbbaa998877",
            Region = "us-east-1",
            Service = "bedrock",
        };
        return SigV4Signer.Authorization(input, "AKIAREALGATEWAYKEY01", "Real/SecretAccessKey+0123456789abcdefghij", new DateTime(2026, 12, 5, 17, 30, 12, DateTimeKind.Utc), _keys);
    }

    private string BodyHash()
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(_body, hash);
        return Convert.ToHexStringLower(hash);
    }
}
