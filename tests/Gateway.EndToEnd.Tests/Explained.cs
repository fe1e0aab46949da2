using System.Text.Json;

namespace Gateway.EndToEnd.Tests;

/// <summary>The single element of `policy explain --json`, read with its shape checked.</summary>
internal sealed record Explained(
    string Host,
    string CanonicalHost,
    int Port,
    string Decision,
    string Reason,
    string RuleId,
    string Source,
    string? Pattern,
    IReadOnlyList<ExplainedMatch> Matches)
{
    private static readonly string[] s_fields =
        ["host", "canonicalHost", "port", "decision", "reason", "ruleId", "source", "pattern", "matches"];

    private static readonly string[] s_matchFields = ["decision", "pattern", "ruleId", "scope", "source"];

    /// <summary>Parses `explain --json` output: an array of exactly one object carrying the contract's fields.</summary>
    public static Explained ParseSingle(JsonElement array)
    {
        Assert.Equal(JsonValueKind.Array, array.ValueKind);
        JsonElement e = Assert.Single(array.EnumerateArray());
        string[] names = [.. e.EnumerateObject().Select(p => p.Name)];
        Assert.All(s_fields, f => Assert.Contains(f, names));
        Assert.Equal(JsonValueKind.Number, e.GetProperty("port").ValueKind);
        Assert.Equal(JsonValueKind.Array, e.GetProperty("matches").ValueKind);
        var matches = new List<ExplainedMatch>();
        foreach (JsonElement m in e.GetProperty("matches").EnumerateArray())
        {
            Assert.Equal(s_matchFields, m.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            matches.Add(new ExplainedMatch(
                m.GetProperty("ruleId").GetString()!,
                m.GetProperty("source").GetString()!,
                m.GetProperty("decision").GetString()!,
                m.GetProperty("pattern").GetString()!));
        }

        JsonElement pattern = e.GetProperty("pattern");
        return new Explained(
            e.GetProperty("host").GetString()!,
            e.GetProperty("canonicalHost").GetString()!,
            e.GetProperty("port").GetInt32(),
            e.GetProperty("decision").GetString()!,
            e.GetProperty("reason").GetString()!,
            e.GetProperty("ruleId").GetString()!,
            e.GetProperty("source").GetString()!,
            pattern.ValueKind == JsonValueKind.Null ? null : pattern.GetString(),
            matches);
    }
}
