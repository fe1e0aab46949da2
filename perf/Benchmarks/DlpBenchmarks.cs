using System.Text;
using BenchmarkDotNet.Attributes;
using Gateway.Interception.Dlp;
using Gateway.Interception.Forwarding;

namespace Benchmarks;

/// <summary>
/// Outgoing DLP over a 1 MiB request body with no hit (issue 21 point 5: ≥ 1 GB/s per core): the scanner alone
/// (<see cref="DlpStreamScanner"/>: Latin-1 widening into the pooled window, one multi-string search, verification of
/// the rare needle occurrences) and the whole scanning body (<see cref="DlpRequestBody"/>, as the forwarder reads it),
/// against reading the same body unscanned. Two bodies: JSON-like developer text, and base64 (an image upload,
/// where "eyJ" and "AKIA" occur by chance and are verified). Needles: the shapes alone, or the shapes and 1, 10 or 50 held
/// credentials (each in its ~10 searched forms) of random letters and digits.
/// </summary>
public class DlpBenchmarks
{
    private const int BodySize = 1024 * 1024;
    internal const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private readonly byte[] _piece = new byte[16 * 1024];
    private byte[] _body = null!;
    private DlpNeedles _needles = null!;
    private DlpContext _context;

    [Params("json", "base64")]
    public string Body { get; set; } = "json";

    [Params(0, 1, 10, 50)]
    public int Credentials { get; set; }

    /// <summary>Characters per held value: 8, the shortest searched for (the slowest case), or 32, a typical API key.</summary>
    [Params(8, 32)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        _body = Body_(Body, random);

        var held = new HeldSecrets();
        for (int i = 0; i < Credentials; i++)
        {
            held.Remember(new object(), new string(random.GetItems(Alphabet.AsSpan(), Length)));
        }

        _needles = held.Needles;
        _context = new DlpContext(new Placeholders(), "dev");
    }

    /// <summary>A 1 MiB body of <paramref name="kind"/> ("json": developer text with GUIDs, else random base64).</summary>
    internal static byte[] Body_(string kind, Random random)
    {
        if (kind == "json")
        {
            var text = new StringBuilder(BodySize + 100);
            byte[] guid = new byte[16];
            while (text.Length < BodySize)
            {
                text.Append("{\"id\":\"").Append(NextGuid(random, guid)).Append("\",\"n\":").Append(random.Next())
                    .Append(",\"text\":\"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\"},\n");
            }

            return Encoding.ASCII.GetBytes(text.ToString(0, BodySize));
        }

        byte[] raw = new byte[BodySize * 3 / 4];
        random.NextBytes(raw);
        return Encoding.ASCII.GetBytes(Convert.ToBase64String(raw));
    }

    [Benchmark(Baseline = true, Description = "1 MiB body, read unscanned")]
    public int Plain() => Drain(new MemoryStream(_body, writable: false));

    [Benchmark(Description = "1 MiB body, scanner alone (16 KiB pieces)")]
    public int Scanner()
    {
        using var scanner = new DlpStreamScanner(_needles, _context);
        int hits = 0;
        for (int at = 0; at < _body.Length; at += _piece.Length)
        {
            hits += (int)scanner.Feed(_body.AsSpan(at, Math.Min(_piece.Length, _body.Length - at)));
        }

        return hits + (int)scanner.Complete();
    }

    [Benchmark(Description = "1 MiB body, read through DlpRequestBody")]
    public int Scanned()
    {
        using var body = new DlpRequestBody(new MemoryStream(_body, writable: false), null, _needles, _context, block: true);
        return Drain(body);
    }

    // Seeded, so both sides of an A/B (and every run) scan the same text.
    private static Guid NextGuid(Random random, byte[] guid)
    {
        random.NextBytes(guid);
        return new Guid(guid);
    }

    private int Drain(Stream body)
    {
        int total = 0;
        int n;
        while ((n = body.ReadAsync(_piece).AsTask().GetAwaiter().GetResult()) > 0)
        {
            total += n;
        }

        return total;
    }
}
