using System.Text.Json;
using System.Text.RegularExpressions;

namespace Gateway.EndToEnd.Tests;

/// <summary>One element of `policy ls --json`, read with its shape checked.</summary>
internal sealed partial record Rule(string Id, string Type, string Decision, IReadOnlyList<string> Resources, string Source)
{
    /// <summary>The five built-in groups of the Balanced default, in listing order.</summary>
    public static readonly string[] BalancedGroups =
    [
        "default-ai-services",
        "default-package-managers",
        "default-code-and-containers",
        "default-cloud-infrastructure",
        "default-os-packages",
    ];

    private static readonly string[] s_fields = ["decision", "expiresAt", "id", "resources", "scope", "source", "type"];

    /// <summary>`Added local:UUID: allow|deny PATTERNS`, the line `policy allow|deny` prints.</summary>
    [GeneratedRegex(@"^Added (?<id>local:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}): (?<verb>allow|deny) (?<resources>.+)$")]
    public static partial Regex AddedLine();

    /// <summary>A local rule id as listed: "local:" and a lower-case UUID.</summary>
    [GeneratedRegex(@"^local:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    public static partial Regex LocalId();

    /// <summary>Parses a `policy ls --json` array, asserting every element has exactly the contract's fields.</summary>
    public static IReadOnlyList<Rule> ParseList(JsonElement array)
    {
        Assert.Equal(JsonValueKind.Array, array.ValueKind);
        var rules = new List<Rule>();
        foreach (JsonElement element in array.EnumerateArray())
        {
            Assert.Equal(s_fields, element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Equal(JsonValueKind.Array, element.GetProperty("resources").ValueKind);
            rules.Add(new Rule(
                element.GetProperty("id").GetString()!,
                element.GetProperty("type").GetString()!,
                element.GetProperty("decision").GetString()!,
                [.. element.GetProperty("resources").EnumerateArray().Select(r => r.GetString()!)],
                element.GetProperty("source").GetString()!));
        }

        return rules;
    }
}
