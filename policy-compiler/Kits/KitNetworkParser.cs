using System.Collections.Immutable;
using PolicyCompiler.Budgets;
using PolicyCompiler.Patterns;
using PolicyCompiler.Yaml;

namespace PolicyCompiler.Kits;

/// <summary>Reads the <c>network</c> section; credentials are read first so references can be checked here.</summary>
internal static class KitNetworkParser
{
    // publishedPorts is a v1 field for the VM manager: accepted, not interpreted.
    private static readonly string[] s_keys = ["allowedDomains", "deniedDomains", "serviceDomains", "serviceAuth", "rules", "publishedPorts", "proxy", "budgets", "inspect", "dlp"];

    public static KitNetwork Parse(KitNodeReader reader, ConfigNode node, string path, KitCredentials credentials)
    {
        if (KitNodeReader.IsNull(node) || reader.Mapping(node, path) is not { } section)
        {
            return KitNetwork.Empty;
        }

        var fields = reader.Fields(section, path, s_keys);
        int errorsBefore = reader.Errors.Count;
        var allowed = Patterns(reader, fields, path, "allowedDomains");
        bool allowedComplete = reader.Errors.Count == errorsBefore;
        var denied = Patterns(reader, fields, path, "deniedDomains");

        var serviceDomains = ImmutableDictionary.CreateBuilder<RulePattern, string>();
        var boundSources = new HashSet<string>(StringComparer.Ordinal);
        if (fields.TryGetValue("serviceDomains", out var serviceField))
        {
            string servicePath = KitNodeReader.Child(path, "serviceDomains");
            if (!KitNodeReader.IsNull(serviceField.Value) && reader.Mapping(serviceField.Value, servicePath) is { } mapping)
            {
                foreach ((string host, ConfigOrigin key, ConfigNode value) in mapping.Entries)
                {
                    string entryPath = KitNodeReader.Child(servicePath, host);
                    RulePattern? pattern = ServiceDomain(reader, host, key, entryPath, allowed, allowedComplete, denied);
                    string? source = reader.String(value, entryPath, required: true);
                    if (source is not null)
                    {
                        boundSources.Add(source);
                    }

                    if (source is not null && !credentials.Sources.ContainsKey(source))
                    {
                        reader.Error(value, entryPath, UndeclaredSource(source, credentials));
                        source = null;
                    }

                    if (pattern is not null && source is not null && !serviceDomains.TryAdd(pattern, source))
                    {
                        reader.Error(key, entryPath, $"\"{pattern.Text}\" is listed twice; bind each host to one source");
                    }
                }
            }
        }

        var serviceAuth = KitServiceAuthParser.Parse(reader, fields, path, credentials, boundSources);
        var rules = fields.TryGetValue("rules", out var rulesField)
            ? KitHttpRuleParser.Parse(reader, rulesField.Value, KitNodeReader.Child(path, "rules"))
            : [];
        KitProxy? proxy = fields.TryGetValue("proxy", out var proxyField)
            ? KitProxyParser.Parse(reader, proxyField.Value, KitNodeReader.Child(path, "proxy"))
            : null;
        BudgetLimits? budgets = fields.TryGetValue("budgets", out var budgetsField)
            ? KitBudgetsParser.Parse(reader, budgetsField.Value, KitNodeReader.Child(path, "budgets"))
            : null;
        var inspect = Patterns(reader, fields, path, "inspect");
        foreach ((RulePattern pattern, string inspectPath) in inspect)
        {
            if (pattern.Kind == PatternKind.Everything)
            {
                reader.Error(fields["inspect"].Value, inspectPath, "\"**\" would intercept every host and break end-to-end TLS for all of them; name the hosts to inspect, e.g. \"paste.example.com\"");
            }
        }

        KitDlpMode dlp = fields.TryGetValue("dlp", out var dlpField)
            ? DlpMode(reader, dlpField.Value, KitNodeReader.Child(path, "dlp"))
            : KitDlpMode.Block;
        return new KitNetwork(
            [.. allowed.Select(p => p.Pattern)],
            [.. denied.Select(p => p.Pattern)],
            serviceDomains.ToImmutable(),
            serviceAuth,
            rules)
        {
            Proxy = proxy,
            Budgets = budgets,
            Inspect = [.. inspect.Where(p => p.Pattern.Kind != PatternKind.Everything).Select(p => p.Pattern)],
            Dlp = dlp,
        };
    }

    private static KitDlpMode DlpMode(KitNodeReader reader, ConfigNode node, string path)
    {
        switch (reader.String(node, path, required: true))
        {
            case null:
            case "block":
                return KitDlpMode.Block;
            case "report":
                return KitDlpMode.Report;
            case string other:
                reader.Error(node, path, $"\"{other}\" is not a DLP mode; use block (refuse the request) or report (let it through and audit it)");
                return KitDlpMode.Block;
        }
    }

    internal static string UndeclaredSource(string source, KitCredentials credentials)
    {
        var declared = credentials.Sources.Keys.Order(StringComparer.Ordinal).ToList();
        string? nearest = KeySuggestion.Nearest(source, declared);
        return declared.Count == 0 ? $"source \"{source}\" is not declared; declare it under credentials.sources"
            : nearest is not null ? $"source \"{source}\" is not declared in credentials.sources; did you mean \"{nearest}\"?"
            : $"source \"{source}\" is not declared in credentials.sources (declared: {string.Join(", ", declared)})";
    }

    private static List<(RulePattern Pattern, string Path)> Patterns(
        KitNodeReader reader, Dictionary<string, (ConfigOrigin Key, ConfigNode Value)> fields, string path, string name)
    {
        var patterns = new List<(RulePattern, string)>();
        if (!fields.TryGetValue(name, out var field))
        {
            return patterns;
        }

        var seen = new HashSet<RulePattern>();
        foreach ((ConfigNode item, string itemPath) in reader.Items(field.Value, KitNodeReader.Child(path, name)))
        {
            string? text = reader.String(item, itemPath, required: true);
            if (text is null)
            {
                continue;
            }

            if (!PatternParser.TryParse(text, out RulePattern? pattern, out string? error))
            {
                reader.Error(item, itemPath, error!);
            }
            else if (seen.Add(pattern!))
            {
                patterns.Add((pattern!, itemPath));
            }
        }

        return patterns;
    }

    private static RulePattern? ServiceDomain(
        KitNodeReader reader,
        string host,
        ConfigOrigin key,
        string path,
        List<(RulePattern Pattern, string Path)> allowed,
        bool allowedComplete,
        List<(RulePattern Pattern, string Path)> denied)
    {
        if (!PatternParser.TryParse(host, out RulePattern? pattern, out string? error))
        {
            reader.Error(key, path, error!);
            return null;
        }

        if (pattern!.Kind == PatternKind.Everything)
        {
            reader.Error(key, path, "\"**\" would send the credential to every host; name the service's hosts, e.g. \"api.example.com\"");
            return null;
        }

        // A credential is injected only where the kit itself lets traffic through; relying on the
        // global policy would silently stop working (or start leaking) when that policy changes.
        if (allowedComplete && !allowed.Exists(a => PatternCoverage.Covers(a.Pattern, pattern)))
        {
            reader.Error(key, path, $"\"{pattern.Text}\" is not allowed by network.allowedDomains; add \"{pattern.Text}\" there so the kit reaches the host it sends the credential to");
        }

        foreach ((RulePattern deny, string denyPath) in denied)
        {
            if (PatternCoverage.Covers(deny, pattern))
            {
                reader.Error(key, path, $"\"{pattern.Text}\" is denied by {denyPath} (\"{deny.Text}\"); the credential could never be used");
            }
        }

        return pattern;
    }
}
