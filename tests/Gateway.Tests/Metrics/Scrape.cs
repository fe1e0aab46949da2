using System.Text;
using Gateway.Metrics;

namespace Gateway.Tests.Metrics;

/// <summary>A parsed scrape, with the look-ups the tests make.</summary>
internal sealed class Scrape(string text, Dictionary<string, PrometheusFamily> families)
{
    public string Text { get; } = text;

    public Dictionary<string, PrometheusFamily> Families { get; } = families;

    public IEnumerable<PrometheusSample> Samples => Families.Values.SelectMany(f => f.Samples);

    public static Scrape Parse(string text) => new(text, PrometheusText.Parse(text));

    /// <summary>Collects <paramref name="metrics"/>' registry as Prometheus would, without a listener.</summary>
    public static async Task<Scrape> OfAsync(GatewayMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        return Parse(Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>The value of the one sample named <paramref name="sample"/> with exactly these labels (le excepted for buckets).</summary>
    public double Value(string sample, params (string Name, string Value)[] labels)
    {
        PrometheusSample[] matches = Samples
            .Where(s => s.Name == sample && s.Labels.Count == labels.Length && labels.All(l => s.Label(l.Name) == l.Value))
            .ToArray();
        Assert.True(matches.Length == 1, $"{matches.Length} samples {sample}{{{string.Join(",", labels)}}} in:\n{Text}");
        return matches[0].Value;
    }
}
