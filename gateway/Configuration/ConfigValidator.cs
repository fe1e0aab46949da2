using System.Collections.Immutable;
using System.Text;
using PolicyCompiler.Yaml;

namespace Gateway.Configuration;

/// <summary>
/// Turns the raw tree into a <see cref="GatewayConfig"/>, reporting every problem instead of
/// stopping at the first (YARP's ConfigValidator does the same): start-up names every bad key
/// at once. A bad value is reported and replaced by its default so the rest is still checked.
/// One partial file per group of sections.
/// </summary>
internal sealed partial class ConfigValidator
{
    private static readonly string[] s_rootKeys =
    [
        "stateDir", "listen", "transparent", "policy", "resolve", "egress", "trust", "upstream",
        "credentials", "kits", "sandboxes", "limits", "audit", "dns",
    ];

    private readonly List<string> _errors;
    private readonly string _fileDirectory;
    private readonly string _workingDirectory;
    private string _stateDir = StateDirectory.SystemPath;

    private ConfigValidator(string fileDirectory, string workingDirectory, List<string> errors)
    {
        _errors = errors;
        _fileDirectory = fileDirectory;
        _workingDirectory = workingDirectory;
    }

    /// <summary>Validates <paramref name="root"/> (null: nothing configured), appending one line per problem.</summary>
    /// <param name="root">The configuration tree, environment overrides merged in.</param>
    /// <param name="fileDirectory">Relative paths written in the file are relative to this directory.</param>
    /// <param name="options">Command-line inputs; relative paths from the environment are relative to its working directory.</param>
    /// <param name="environment">The process environment, for the state directory.</param>
    /// <param name="errors">Receives one line per problem.</param>
    public static GatewayConfig Validate(
        ConfigNode? root, string fileDirectory, ConfigLoadOptions options, IReadOnlyDictionary<string, string?> environment, List<string> errors)
    {
        var validator = new ConfigValidator(fileDirectory, options.WorkingDirectory, errors);
        ConfigSection section = validator.Open(root, "", s_rootKeys, SectionHints.ForTopLevel);
        validator._stateDir = validator.ReadStateDir(section, options, environment);

        // Credentials first: upstream.socks5Credential must name one of them.
        CredentialsConfig credentials = validator.ReadCredentials(section.Get("credentials"));
        return new GatewayConfig(
            validator._stateDir,
            validator.ReadListen(section.Get("listen")),
            validator.ReadTransparent(section.Get("transparent")),
            validator.ReadPolicy(section.Get("policy")),
            validator.ReadResolve(section.Get("resolve")),
            validator.ReadEgress(section.Get("egress")),
            validator.ReadTrust(section.Get("trust")),
            validator.ReadUpstream(section.Get("upstream"), credentials),
            credentials,
            validator.ReadKits(section.Get("kits")),
            validator.ReadSandboxes(section.Get("sandboxes")),
            validator.ReadLimits(section.Get("limits")),
            validator.ReadAudit(section.Get("audit")),
            validator.ReadDns(section.Get("dns")));
    }

    private string ReadStateDir(ConfigSection root, ConfigLoadOptions options, IReadOnlyDictionary<string, string?> environment)
    {
        string? configured = null;
        ConfigNode? node = root.Get("stateDir");
        if (node is not null && TryText(node, "stateDir", out string text))
        {
            if (text.Length == 0)
            {
                Report(node, "stateDir", "empty; name a directory or remove the key for the default");
            }
            else if (text.Contains(StateDirectory.Placeholder, StringComparison.Ordinal))
            {
                Report(node, "stateDir", "cannot refer to {stateDir} itself; name a directory");
            }
            else
            {
                configured = Path.GetFullPath(text, BaseDirectoryOf(node));
            }
        }

        return StateDirectory.Resolve(
            options.StateDirOption, environment, configured, options.IsRoot, options.WorkingDirectory);
    }

    /// <summary>Opens a mapping with a fixed set of keys, reporting unknown keys and a wrong kind.</summary>
    /// <param name="node">The mapping, or null when absent.</param>
    /// <param name="path">Its key path.</param>
    /// <param name="keys">The keys it may have.</param>
    /// <param name="hint">Where an unknown key that is no typo belongs, for the root (<see cref="SectionHints"/>).</param>
    private ConfigSection Open(ConfigNode? node, string path, string[] keys, Func<string, string?>? hint = null)
    {
        var section = new ConfigSection(path, node?.Origin ?? ConfigOrigin.Default);
        if (node is null || node.Kind == ConfigNodeKind.Null)
        {
            return section;
        }

        if (node.Kind != ConfigNodeKind.Mapping)
        {
            Report(node, path, $"expected a section ({string.Join(", ", keys)}), found {node.Describe()}");
            return section;
        }

        foreach (ConfigEntry entry in node.Entries)
        {
            // YAML keys are case-sensitive like the rest of YAML; environment keys cannot be camelCase.
            StringComparison comparison = entry.KeyOrigin.IsEnvironment ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            string? known = Array.Find(keys, k => string.Equals(k, entry.Key, comparison));
            if (known is null)
            {
                Report(entry.KeyOrigin, section.PathOf(entry.Key), KeySuggestion.UnknownKey(entry, keys, hint));
            }
            else
            {
                section.Add(known, entry.Value);
            }
        }

        return section;
    }

    /// <summary>The entries of a mapping whose keys are names the operator chooses (hosts, sources).</summary>
    private List<ConfigEntry> NamedEntries(ConfigNode? node, string path, string example)
    {
        if (node is null || node.Kind == ConfigNodeKind.Null)
        {
            return [];
        }

        if (node.Kind != ConfigNodeKind.Mapping)
        {
            Report(node, path, $"expected a section of names, e.g. {example}, found {node.Describe()}");
            return [];
        }

        return node.Entries;
    }

    /// <summary>The items of a list with their paths; null or absent is the empty list.</summary>
    private List<(ConfigNode Node, string Path)> Items(ConfigNode? node, string path)
    {
        var items = new List<(ConfigNode, string)>();
        if (node is null || node.Kind == ConfigNodeKind.Null)
        {
            return items;
        }

        if (node.Kind != ConfigNodeKind.Sequence)
        {
            string hint = node.Kind != ConfigNodeKind.Scalar ? ""
                : node.Origin.Variable is { } variable ? $"; set {variable}__0={node.Value} and so on"
                : $"; write [{node.Value}]";
            Report(node, path, $"expected a list, found {node.Describe()}{hint}");
            return items;
        }

        for (int i = 0; i < node.Items.Count; i++)
        {
            items.Add((node.Items[i], YamlKeyPath.Index(path, i)));
        }

        return items;
    }

    /// <summary>The text of a scalar; false for null, and a report for a section or list.</summary>
    private bool TryText(ConfigNode node, string path, out string text)
    {
        text = node.Value ?? "";
        if (node.Kind == ConfigNodeKind.Scalar)
        {
            return true;
        }

        if (node.Kind != ConfigNodeKind.Null)
        {
            Report(node, path, $"expected a single value, found {node.Describe()}");
        }

        return false;
    }

    /// <summary>The node under <paramref name="key"/>, or the default text when absent or null.</summary>
    private ConfigNode ValueOrDefault(ConfigSection section, string key, string defaultText)
    {
        ConfigNode? node = section.Get(key);
        return node is null || node.Kind == ConfigNodeKind.Null ? ConfigNode.Scalar(defaultText, ConfigOrigin.Default) : node;
    }

    /// <summary>Expands placeholders and makes a path absolute against the directory its origin names.</summary>
    private bool TryPath(ConfigNode node, string path, string text, out string fullPath)
    {
        fullPath = "";
        if (text.Length == 0)
        {
            Report(node, path, "empty path");
            return false;
        }

        if (!TryExpand(node, path, text, out string expanded))
        {
            return false;
        }

        fullPath = Path.GetFullPath(expanded, BaseDirectoryOf(node));
        return true;
    }

    // A path written in the file is relative to the file, wherever the daemon was started from; one
    // from the environment or a default is relative to the working directory.
    private string BaseDirectoryOf(ConfigNode node) =>
        node.Origin is { File: not null, IsEnvironment: false } ? _fileDirectory : _workingDirectory;

    // Only {identifier} is a placeholder; glob braces such as {a,b} pass through untouched.
    private bool TryExpand(ConfigNode node, string path, string text, out string expanded)
    {
        var builder = new StringBuilder(text.Length + _stateDir.Length);
        int i = 0;
        while (i < text.Length)
        {
            int open = text.IndexOf('{', i);
            int close = open < 0 ? -1 : text.IndexOf('}', open);
            if (close < 0)
            {
                builder.Append(text, i, text.Length - i);
                break;
            }

            open = text.LastIndexOf('{', close);

            string name = text[(open + 1)..close];
            builder.Append(text, i, open - i);
            if (name.Length > 0 && name.All(char.IsAsciiLetter))
            {
                if (name != "stateDir")
                {
                    Report(node, path, $"unknown placeholder {{{name}}}; only {StateDirectory.Placeholder} is expanded");
                    expanded = text;
                    return false;
                }

                builder.Append(_stateDir);
            }
            else
            {
                builder.Append(text, open, close - open + 1);
            }

            i = close + 1;
        }

        expanded = builder.ToString();
        return true;
    }

    private static ImmutableArray<T> ToImmutable<T>(List<T> items) => [.. items];

    private void Report(ConfigNode node, string path, string problem) => _errors.Add(node.Origin.Format(path, problem));

    private void Report(ConfigOrigin origin, string path, string problem) => _errors.Add(origin.Format(path, problem));
}
