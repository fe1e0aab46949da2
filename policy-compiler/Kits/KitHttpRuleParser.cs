using System.Collections.Immutable;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;
using PolicyCompiler.Yaml;

namespace PolicyCompiler.Kits;

/// <summary>Reads <c>network.rules</c>: per-request rules on intercepted hosts.</summary>
internal static class KitHttpRuleParser
{
    private static readonly string[] s_keys = ["host", "methods", "paths", "decision"];

    public static ImmutableArray<KitHttpRule> Parse(KitNodeReader reader, ConfigNode node, string path)
    {
        var rules = ImmutableArray.CreateBuilder<KitHttpRule>();
        foreach ((ConfigNode item, string itemPath) in reader.Items(node, path))
        {
            if (reader.Mapping(item, itemPath) is { } mapping && Rule(reader, mapping, itemPath) is { } rule)
            {
                rules.Add(rule);
            }
        }

        return rules.ToImmutable();
    }

    private static KitHttpRule? Rule(KitNodeReader reader, ConfigNode mapping, string path)
    {
        var fields = reader.Fields(mapping, path, s_keys);
        RulePattern? host = null;
        if (!fields.TryGetValue("host", out var hostField))
        {
            reader.Error(mapping, path, "missing required key \"host\"; name the host the rule applies to");
        }
        else if (reader.String(hostField.Value, KitNodeReader.Child(path, "host"), required: true) is { } text
            && !PatternParser.TryParse(text, out host, out string? error))
        {
            reader.Error(hostField.Value, KitNodeReader.Child(path, "host"), error!);
        }

        RuleDecision? decision = null;
        if (!fields.TryGetValue("decision", out var decisionField))
        {
            reader.Error(mapping, path, "missing required key \"decision\"; use allow or deny");
        }
        else
        {
            string decisionPath = KitNodeReader.Child(path, "decision");
            switch (reader.String(decisionField.Value, decisionPath, required: true))
            {
                case "allow":
                    decision = RuleDecision.Allow;
                    break;
                case "deny":
                    decision = RuleDecision.Deny;
                    break;
                case { } other:
                    reader.Error(decisionField.Value, decisionPath, $"\"{other}\" is not a decision; use allow or deny");
                    break;
            }
        }

        ImmutableArray<string> methods = fields.TryGetValue("methods", out var methodsField)
            ? reader.StringList(methodsField.Value, KitNodeReader.Child(path, "methods"), CheckMethod)
            : [];
        ImmutableArray<string> paths = fields.TryGetValue("paths", out var pathsField)
            ? reader.StringList(pathsField.Value, KitNodeReader.Child(path, "paths"), CheckPath)
            : [];
        return host is null || decision is null ? null : new KitHttpRule(host, methods, paths, decision.Value);
    }

    // Methods are case-sensitive (RFC 9110 §9.1): "get" would never match what clients send.
    private static string? CheckMethod(string method) =>
        !KitSyntax.IsToken(method) ? $"\"{method}\" is not an HTTP method; use e.g. \"GET\""
        : method != method.ToUpperInvariant() ? $"\"{method}\" never matches: methods are case-sensitive; use \"{method.ToUpperInvariant()}\""
        : null;

    private static string? CheckPath(string path)
    {
        if (!path.StartsWith('/'))
        {
            return $"path \"{path}\" must start with \"/\"; e.g. \"/repos/*\"";
        }

        foreach (char c in path)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c) || c is '?' or '#')
            {
                return $"path \"{path}\" may not contain whitespace, control characters, \"?\" or \"#\"; rules match the path only";
            }

            // Rules match the decoded path; an escape here would never match what it looks like,
            // and requests with encoded slashes are refused before any rule is consulted.
            if (c is '%' or '\\')
            {
                return $"path \"{path}\" may not contain \"%\" or \"\\\"; write the decoded path, e.g. \"/repos/*\"";
            }
        }

        foreach (string segment in path.Split('/'))
        {
            if (segment is "." or "..")
            {
                return $"path \"{path}\" may not contain \".\" or \"..\" segments; requests with them are refused, so write the path they resolve to";
            }
        }

        return null;
    }
}
