using System.Text.RegularExpressions;

namespace Gateway.Tests.Architecture;

/// <summary>
/// Which folder of <c>gateway/</c> refers to which, read from the sources: <c>using Gateway.X</c>
/// directives, <c>Gateway.X.Y</c> names and names qualified from a folder (<c>Listeners.BudgetGate</c>
/// inside <c>Gateway.*</c>), comments and string literals left out. A folder is the namespace's second
/// part, so <c>Gateway.Interception.Tls</c> belongs to <c>Interception</c>. Reflection would miss
/// constants (inlined at compile time) and usings; the sources show what a developer wrote.
/// </summary>
internal sealed partial class NamespaceGraph
{
    private readonly Dictionary<(string From, string To), List<string>> _edges = [];

    private NamespaceGraph()
    {
    }

    /// <summary>The references of every folder of <paramref name="gatewayDirectory"/>.</summary>
    public static NamespaceGraph Read(string gatewayDirectory)
    {
        var files = new List<(string Path, string Namespace, string Code)>();
        var declared = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (string path in Directory.EnumerateFiles(gatewayDirectory, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(gatewayDirectory, path);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
            {
                continue;
            }

            string code = Strings().Replace(Comments().Replace(File.ReadAllText(path), " "), "\"\"");
            if (FileNamespace().Match(code) is not { Success: true } ns)
            {
                continue;
            }

            files.Add((relative, ns.Groups[1].Value, code));
            HashSet<string> types = declared.TryGetValue(ns.Groups[1].Value, out HashSet<string>? set) ? set : declared[ns.Groups[1].Value] = [];
            foreach (Match type in TypeDeclaration().Matches(code))
            {
                types.Add(type.Groups[1].Value);
            }
        }

        var graph = new NamespaceGraph();
        foreach ((string path, string ns, string code) in files)
        {
            foreach (string target in References(code, declared))
            {
                graph.Add(ns, target, $"{path}: {target}");
            }
        }

        return graph;
    }

    /// <summary>Where <paramref name="from"/> refers to <paramref name="to"/> (file: namespace); empty when it does not.</summary>
    public IReadOnlyList<string> Uses(string from, string to) =>
        _edges.TryGetValue((from, to), out List<string>? where) ? where : [];

    /// <summary>The folder of a namespace: <c>Gateway.Interception.Tls</c> → <c>Interception</c>; null for <c>Gateway</c> itself.</summary>
    public static string? FolderOf(string ns)
    {
        string[] parts = ns.Split('.');
        return parts.Length > 1 && parts[0] == "Gateway" ? parts[1] : null;
    }

    private void Add(string fromNamespace, string toNamespace, string where)
    {
        if (FolderOf(fromNamespace) is not { } from || FolderOf(toNamespace) is not { } to || from == to)
        {
            return;
        }

        if (!_edges.TryGetValue((from, to), out List<string>? list))
        {
            _edges[(from, to)] = list = [];
        }

        if (!list.Contains(where))
        {
            list.Add(where);
        }
    }

    private static HashSet<string> References(string code, Dictionary<string, HashSet<string>> declared)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match u in UsingDirective().Matches(code))
        {
            found.Add(u.Groups[1].Value);
        }

        foreach (Match q in FullyQualified().Matches(code))
        {
            // The longest prefix that is a namespace: Gateway.Interception.Dlp.DlpInspection → Gateway.Interception.Dlp.
            string[] parts = q.Groups[1].Value.Split('.');
            for (int i = parts.Length; i > 1; i--)
            {
                string ns = string.Join('.', parts[..i]);
                if (declared.ContainsKey(ns))
                {
                    found.Add(ns);
                    break;
                }
            }
        }

        foreach (Match q in FolderQualified().Matches(code))
        {
            // Listeners.BudgetGate inside Gateway.*: a namespace of ours followed by a type it declares
            // (System.Net's Dns.GetHostAddresses does not count: Gateway.Dns declares no such type).
            string[] parts = q.Groups[1].Value.Split('.');
            for (int i = parts.Length - 1; i > 0; i--)
            {
                string ns = "Gateway." + string.Join('.', parts[..i]);
                if (declared.TryGetValue(ns, out HashSet<string>? types) && types.Contains(parts[i]))
                {
                    found.Add(ns);
                    break;
                }
            }
        }

        return found;
    }

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comments();

    [GeneratedRegex(@"@?""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex Strings();

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    [GeneratedRegex(@"\b(?:class|struct|record|enum|interface)\s+(\w+)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?(Gateway(?:\.\w+)+)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"(?<![\w.])(?:global::)?(Gateway(?:\.\w+)+)")]
    private static partial Regex FullyQualified();

    [GeneratedRegex(@"(?<![\w.])([A-Z]\w*(?:\.[A-Z]\w*)+)")]
    private static partial Regex FolderQualified();
}
