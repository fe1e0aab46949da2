using System.Text;
using BenchmarkDotNet.Attributes;
using Gateway.Interception.Dlp;

namespace Benchmarks;

/// <summary>
/// The held-credential search alone, A/B in one run: the index as it was (<see cref="SampledGramsBaseline"/>) against
/// the gateway's <see cref="DlpCredentialIndex"/>, over the same 1 MiB body widened to characters and cut into the
/// scanner's 16 KiB windows with the same overlap. Held values are random letters and digits of
/// <see cref="Length"/> characters, each in its ~10 searched forms (<see cref="DlpEncodings"/>): 8 is the
/// shortest value searched for and so the slowest case (the sampling stride follows the shortest needle); 32 is
/// a typical API key.
/// </summary>
public class DlpCredentialBenchmarks
{
    private const int Window = DlpStreamScanner.Chunk;
    private char[] _text = null!;
    private SampledGramsBaseline _old = null!;
    private DlpCredentialIndex _new = null!;
    private int _overlap;

    [Params("json", "base64")]
    public string Body { get; set; } = "json";

    [Params(1, 10, 50)]
    public int Credentials { get; set; }

    [Params(8, 32)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(11);
        _text = Encoding.Latin1.GetString(DlpBenchmarks.Body_(Body, random)).ToCharArray();
        var forms = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Credentials; i++)
        {
            DlpEncodings.AddForms(new string(random.GetItems(DlpBenchmarks.Alphabet.AsSpan(), Length)), forms);
        }

        int longest = 0;
        foreach (string form in forms)
        {
            longest = Math.Max(longest, form.Length);
        }

        _overlap = longest - 1;
        _old = new SampledGramsBaseline(forms);
        _new = new DlpCredentialIndex(forms);
    }

    [Benchmark(Baseline = true, Description = "held values, index before")]
    public int Before()
    {
        int hits = 0;
        for (int at = 0; at < _text.Length; at += Window)
        {
            hits += _old.Occurs(Slice(at)) ? 1 : 0;
        }

        return hits;
    }

    [Benchmark(Description = "held values, index after")]
    public int After()
    {
        int hits = 0;
        for (int at = 0; at < _text.Length; at += Window)
        {
            hits += _new.Occurs(Slice(at)) ? 1 : 0;
        }

        return hits;
    }

    // A window as the scanner has it: the carried tail of the previous one, then the next chunk.
    private ReadOnlySpan<char> Slice(int at)
    {
        int from = Math.Max(0, at - _overlap);
        return _text.AsSpan(from, Math.Min(_text.Length, at + Window) - from);
    }
}
