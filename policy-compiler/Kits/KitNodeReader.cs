using System.Collections.Immutable;
using PolicyCompiler.Yaml;

namespace PolicyCompiler.Kits;

/// <summary>
/// Reads the nodes of one kit file (from <see cref="YamlDocumentReader"/>, as the gateway
/// configuration's) and records every problem with its line and key path, so one pass reports all of
/// them. Every read returns a usable value (null or empty) after an error.
/// </summary>
internal sealed class KitNodeReader
{
    private readonly List<KitError> _errors = [];

    public KitNodeReader(string filePath) => FilePath = filePath;

    public string FilePath { get; }

    public IReadOnlyList<KitError> Errors => _errors;

    public void Error(ConfigNode node, string path, string message) => Error(node.Origin, path, message);

    public void Error(ConfigOrigin origin, string path, string message) => Error(origin.Line, origin.Column, path, message);

    public void Error(int line, int column, string path, string message) =>
        _errors.Add(new KitError(FilePath, line, column, path, message));

    public static string Child(string path, string key) => YamlKeyPath.Child(path, key);

    /// <summary>An absent value: an empty plain scalar, "~" or "null".</summary>
    public static bool IsNull(ConfigNode node) => node.Kind == ConfigNodeKind.Null;

    public ConfigNode? Mapping(ConfigNode node, string path)
    {
        if (node.Kind == ConfigNodeKind.Mapping)
        {
            return node;
        }

        Error(node, path, $"expected a mapping of keys to values, found {Describe(node)}");
        return null;
    }

    /// <summary>
    /// The entries of a mapping with a fixed set of keys. Unknown keys are reported with the
    /// nearest known key as a suggestion; the rest are returned by name.
    /// </summary>
    /// <param name="mapping">The mapping read.</param>
    /// <param name="path">Its key path.</param>
    /// <param name="known">The keys it may have.</param>
    /// <param name="hint">Where an unknown key that is no typo belongs, if anywhere (<see cref="SectionHints"/>).</param>
    public Dictionary<string, (ConfigOrigin Key, ConfigNode Value)> Fields(ConfigNode mapping, string path, IReadOnlyList<string> known, Func<string, string?>? hint = null)
    {
        var fields = new Dictionary<string, (ConfigOrigin, ConfigNode)>(StringComparer.Ordinal);
        foreach (ConfigEntry entry in mapping.Entries)
        {
            if (known.Contains(entry.Key))
            {
                fields[entry.Key] = (entry.KeyOrigin, entry.Value);
            }
            else
            {
                Error(entry.KeyOrigin, Child(path, entry.Key), KeySuggestion.UnknownKey(entry, known, hint));
            }
        }

        return fields;
    }

    /// <summary>A string value; null (and an error when <paramref name="required"/>) when absent.</summary>
    public string? String(ConfigNode node, string path, bool required = false)
    {
        if (IsNull(node))
        {
            if (required)
            {
                Error(node, path, "needs a value");
            }

            return null;
        }

        if (node.Kind == ConfigNodeKind.Scalar)
        {
            return node.Value ?? "";
        }

        Error(node, path, $"expected a single value, found {Describe(node)}");
        return null;
    }

    public bool? Boolean(ConfigNode node, string path)
    {
        string? text = String(node, path, required: true);
        switch (text)
        {
            case null:
                return null;
            case "true":
                return true;
            case "false":
                return false;
            default:
                Error(node, path, $"\"{text}\" is not a boolean; write true or false");
                return null;
        }
    }

    /// <summary>The items of a list, each with its key path; empty when absent.</summary>
    public List<(ConfigNode Node, string Path)> Items(ConfigNode node, string path)
    {
        var items = new List<(ConfigNode, string)>();
        if (IsNull(node))
        {
            return items;
        }

        if (node.Kind != ConfigNodeKind.Sequence)
        {
            Error(node, path, $"expected a list, found {Describe(node)}; write one entry per line starting with \"- \"");
            return items;
        }

        for (int i = 0; i < node.Items.Count; i++)
        {
            items.Add((node.Items[i], YamlKeyPath.Index(path, i)));
        }

        return items;
    }

    /// <summary>A list of strings, each checked by <paramref name="check"/> (which returns an error or null).</summary>
    public ImmutableArray<string> StringList(ConfigNode node, string path, Func<string, string?> check)
    {
        var values = ImmutableArray.CreateBuilder<string>();
        foreach ((ConfigNode item, string itemPath) in Items(node, path))
        {
            string? value = String(item, itemPath, required: true);
            if (value is null)
            {
                continue;
            }

            if (check(value) is { } problem)
            {
                Error(item, itemPath, problem);
            }
            else
            {
                values.Add(value);
            }
        }

        return values.ToImmutable();
    }

    private static string Describe(ConfigNode node) => node.Kind switch
    {
        ConfigNodeKind.Mapping => "a mapping",
        ConfigNodeKind.Sequence => "a list",
        ConfigNodeKind.Null => "nothing",
        _ => $"\"{node.Value}\"",
    };
}
