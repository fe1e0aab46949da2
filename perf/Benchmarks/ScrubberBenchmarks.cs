using System.Text;
using BenchmarkDotNet.Attributes;
using Gateway.Interception.Scrubbing;

namespace Benchmarks;

/// <summary>
/// The response-body scrubber of an intercepted request that carried a secret: a 1 MiB body
/// (JSON-like text, one echoed secret every 64 KiB) read in 16 KiB pieces through
/// <see cref="SecretScrubbingStream"/>, against the same reads straight from the body. The cost
/// is per response: the stream object (its buffers come from the pool), then per byte.
/// </summary>
public class ScrubberBenchmarks
{
    private const int BodySize = 1024 * 1024;
    private static readonly byte[][] s_secrets = [Encoding.UTF8.GetBytes("sk-live-0123456789abcdef0123456789abcdef"), Encoding.UTF8.GetBytes("gw-real-managed-value-4242")];

    private readonly byte[] _piece = new byte[16 * 1024];
    private byte[] _body = null!;

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder(BodySize);
        var random = new Random(7);
        while (text.Length < BodySize)
        {
            text.Append("{\"id\":").Append(random.Next()).Append(",\"text\":\"lorem ipsum dolor sit amet\"},");
            if (text.Length % (64 * 1024) < 60)
            {
                text.Append("\"echo\":\"Bearer sk-live-0123456789abcdef0123456789abcdef\",");
            }
        }

        _body = Encoding.UTF8.GetBytes(text.ToString(0, BodySize));
    }

    [Benchmark(Baseline = true, Description = "1 MiB body, read as is")]
    public int Plain() => Drain(new MemoryStream(_body, writable: false));

    [Benchmark(Description = "1 MiB body, read through the scrubber (2 secrets)")]
    public int Scrubbed()
    {
        using var scrubber = new SecretScrubbingStream(new MemoryStream(_body, writable: false), s_secrets);
        return Drain(scrubber);
    }

    private int Drain(Stream body)
    {
        int total = 0;
        int n;
        while ((n = body.Read(_piece)) > 0)
        {
            total += n;
        }

        return total;
    }
}
