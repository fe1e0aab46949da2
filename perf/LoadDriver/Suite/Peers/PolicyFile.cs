using System.Globalization;
using System.Text;

namespace LoadDriver.Suite.Peers;

/// <summary>
/// Writes the gateway's <c>policy.json</c> directly (the format <c>gateway policy allow</c>
/// writes): deny-all, one rule allowing the origin, and optionally generated rules for S8 —
/// exact, wildcard, ported and deny patterns over synthetic names, none of which match the origin.
/// </summary>
internal static class PolicyFile
{
    public static void Write(string path, int extraRules)
    {
        var json = new StringBuilder(capacity: 128 + (extraRules * 150));
        json.Append("""{"version":1,"default":"deny-all","rules":[""");
        Rule(json, 0, "allow", "127.0.0.1\",\"*.example.test");
        for (int i = 1; i <= extraRules; i++)
        {
            json.Append(',');
            int cluster = i % 997;
            string resource = (i % 4) switch
            {
                0 => string.Create(CultureInfo.InvariantCulture, $"api{i}.corp{cluster}.com"),
                1 => string.Create(CultureInfo.InvariantCulture, $"*.team{i}.corp{cluster}.net"),
                2 => string.Create(CultureInfo.InvariantCulture, $"svc{i}.corp{cluster}.io:8443"),
                _ => string.Create(CultureInfo.InvariantCulture, $"ads{i}.corp{cluster}.org"),
            };
            Rule(json, i, i % 4 == 3 ? "deny" : "allow", resource);
        }

        json.Append("""],"kits":[]}""");
        File.WriteAllText(path, json.ToString());
    }

    private static void Rule(StringBuilder json, int index, string decision, string resources) =>
        json.Append(CultureInfo.InvariantCulture, $$"""{"id":"00000000-0000-4000-8000-{{index:D12}}","type":"network","decision":"{{decision}}","resources":["{{resources}}"],"createdAt":"2026-01-01T00:00:00+00:00"}""");
}
