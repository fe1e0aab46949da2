using System.Globalization;
using System.Text;

namespace Gateway.Tests.Metrics;

/// <summary>One sample line: <c>name{label="value",…} value [timestamp]</c>.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out string? value) ? value : "";
}

/// <summary>A metric family: the name TYPE and HELP declare, and every sample that belongs to it.</summary>
internal sealed class PrometheusFamily(string name)
{
    public string Name { get; } = name;

    public string? Type { get; set; }

    public string? Help { get; set; }

    public List<PrometheusSample> Samples { get; } = [];
}

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4, enough to hold the
/// gateway's scrape to it: HELP and TYPE at most once per family and before its samples,
/// label values with their three escapes, special values, samples only for declared
/// families (histogram series by their suffixes), and histograms whose buckets are
/// cumulative, end at +Inf and agree with _count. Any violation throws <see cref="FormatException"/>.
/// </summary>
internal static class PrometheusText
{
    private static readonly string[] s_histogramSuffixes = ["_bucket", "_sum", "_count"];

    public static Dictionary<string, PrometheusFamily> Parse(string text)
    {
        var families = new Dictionary<string, PrometheusFamily>(StringComparer.Ordinal);
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                if (line[0] == '#')
                {
                    ParseComment(line, families);
                }
                else
                {
                    PrometheusSample sample = ParseSample(line);
                    FamilyOf(sample.Name, families).Samples.Add(sample);
                }
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {i + 1}: {e.Message}: {line}", e);
            }
        }

        foreach (PrometheusFamily family in families.Values)
        {
            if (family.Type == "histogram")
            {
                CheckHistogram(family);
            }
        }

        return families;
    }

    private static void ParseComment(string line, Dictionary<string, PrometheusFamily> families)
    {
        string[] parts = line.Split(' ', 4);
        if (parts.Length < 3 || parts[1] is not ("HELP" or "TYPE"))
        {
            return; // an ordinary comment
        }

        string name = parts[2];
        CheckName(name);
        if (!families.TryGetValue(name, out PrometheusFamily? family))
        {
            family = new PrometheusFamily(name);
            families.Add(name, family);
        }
        else if (family.Samples.Count > 0)
        {
            throw new FormatException($"{parts[1]} after samples of {name}");
        }

        string rest = parts.Length > 3 ? parts[3] : "";
        if (parts[1] == "HELP")
        {
            family.Help = family.Help is null ? rest : throw new FormatException($"second HELP for {name}");
        }
        else
        {
            if (rest is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
            {
                throw new FormatException($"unknown type \"{rest}\"");
            }

            family.Type = family.Type is null ? rest : throw new FormatException($"second TYPE for {name}");
        }
    }

    private static PrometheusFamily FamilyOf(string sampleName, Dictionary<string, PrometheusFamily> families)
    {
        if (families.TryGetValue(sampleName, out PrometheusFamily? family) && family.Type is not ("histogram" or "summary"))
        {
            return family;
        }

        foreach (string suffix in s_histogramSuffixes)
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal)
                && families.TryGetValue(sampleName[..^suffix.Length], out family)
                && family.Type == "histogram")
            {
                return family;
            }
        }

        throw new FormatException($"sample {sampleName} of no declared family");
    }

    private static PrometheusSample ParseSample(string line)
    {
        int i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
        {
            i++;
        }

        string name = line[..i];
        CheckName(name);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i = ParseLabels(line, i + 1, labels);
        }

        if (i >= line.Length || line[i] != ' ')
        {
            throw new FormatException("expected a space before the value");
        }

        string[] rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2)
        {
            throw new FormatException("expected a value and an optional timestamp");
        }

        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            throw new FormatException($"bad timestamp \"{rest[1]}\"");
        }

        return new PrometheusSample(name, labels, ParseValue(rest[0]));
    }

    // Returns the index after the closing brace.
    private static int ParseLabels(string line, int i, Dictionary<string, string> labels)
    {
        while (true)
        {
            if (i < line.Length && line[i] == '}')
            {
                return i + 1;
            }

            int equals = line.IndexOf('=', i);
            if (equals < 0 || equals + 1 >= line.Length || line[equals + 1] != '"')
            {
                throw new FormatException("expected label=\"value\"");
            }

            string label = line[i..equals];
            CheckName(label);
            var value = new StringBuilder();
            int j = equals + 2;
            for (; j < line.Length && line[j] != '"'; j++)
            {
                if (line[j] != '\\')
                {
                    value.Append(line[j]);
                    continue;
                }

                j++;
                value.Append(j < line.Length ? line[j] switch
                {
                    '\\' => '\\',
                    '"' => '"',
                    'n' => '\n',
                    _ => throw new FormatException($"bad escape \\{line[j]}"),
                } : throw new FormatException("escape at the end of the line"));
            }

            if (j >= line.Length)
            {
                throw new FormatException("unterminated label value");
            }

            if (!labels.TryAdd(label, value.ToString()))
            {
                throw new FormatException($"label {label} twice");
            }

            i = j + 1;
            if (i < line.Length && line[i] == ',')
            {
                i++;
            }
            else if (i >= line.Length || line[i] != '}')
            {
                throw new FormatException("expected , or } after a label");
            }
        }
    }

    public static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw new FormatException($"bad value \"{text}\""),
    };

    private static void CheckName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0])
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':'))
        {
            throw new FormatException($"bad name \"{name}\"");
        }
    }

    // Buckets of one series (labels other than le) are cumulative, ascending in le, end at
    // +Inf, and the +Inf bucket equals _count; _sum exists.
    private static void CheckHistogram(PrometheusFamily family)
    {
        foreach (IGrouping<string, PrometheusSample> series in family.Samples.GroupBy(s => SeriesKey(s)))
        {
            List<PrometheusSample> buckets = series.Where(s => s.Name == family.Name + "_bucket").ToList();
            PrometheusSample? count = series.SingleOrDefault(s => s.Name == family.Name + "_count");
            PrometheusSample? sum = series.SingleOrDefault(s => s.Name == family.Name + "_sum");
            if (buckets.Count == 0 || count is null || sum is null)
            {
                throw new FormatException($"{family.Name}{{{series.Key}}}: a histogram needs _bucket, _sum and _count");
            }

            double previousBound = double.NegativeInfinity;
            double previousCount = 0;
            foreach (PrometheusSample bucket in buckets)
            {
                double bound = ParseValue(bucket.Label("le"));
                if (bound <= previousBound || bucket.Value < previousCount)
                {
                    throw new FormatException($"{family.Name}{{{series.Key}}}: buckets are not cumulative in ascending le at le={bucket.Label("le")}");
                }

                previousBound = bound;
                previousCount = bucket.Value;
            }

            if (!double.IsPositiveInfinity(previousBound) || previousCount != count.Value)
            {
                throw new FormatException($"{family.Name}{{{series.Key}}}: the +Inf bucket must be last and equal _count");
            }
        }
    }

    private static string SeriesKey(PrometheusSample sample) =>
        string.Join(",", sample.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
}
