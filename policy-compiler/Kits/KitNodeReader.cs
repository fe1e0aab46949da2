using System.Collections.Immutable;
using PolicyCompiler.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PolicyCompiler.Kits;

/// <summary>
/// Reads YAML nodes of one kit file and records every problem with its line and key path, so one
/// pass reports all of them. Every read returns a usable value (null or empty) after an error.
/// </summary>
internal sealed class KitNodeReader
{
    private readonly List<KitError> _errors = [];

    public KitNodeReader(string filePath) => FilePath = filePath;

    public string FilePath { get; }

    public IReadOnlyList<KitError> Errors => _errors;

    public void Error(YamlNode node, string path, string message) => Error(node.Start, path, message);

    public void Error(Mark mark, string path, string message) => Error((int)mark.Line, (int)mark.Column, path, message);

    public void Error(int line, int column, string path, string message) =>
        _errors.Add(new KitError(FilePath, line, column, path, message));

    public static string Child(string path, string key)
    {
        // Host names contain dots; bracket them so the path stays unambiguous.
        bool plain = key.Length > 0;
        foreach (char c in key)
        {
            plain &= char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
        }

        string segment = plain ? key : "[\"" + key + "\"]";
        return path.Length == 0 ? segment : plain ? path + "." + segment : path + segment;
    }

    public static string Index(string path, int index) => $"{path}[{index}]";

    /// <summary>An absent value: an empty plain scalar, "~" or "null".</summary>
    public static bool IsNull(YamlNode node) => YamlDocumentReader.IsNull(node);

    public YamlMappingNode? Mapping(YamlNode node, string path)
    {
        if (node is YamlMappingNode mapping)
        {
            return mapping;
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
    public Dictionary<string, (YamlScalarNode Key, YamlNode Value)> Fields(YamlMappingNode mapping, string path, IReadOnlyList<string> known, Func<string, string?>? hint = null)
    {
        var fields = new Dictionary<string, (YamlScalarNode, YamlNode)>(StringComparer.Ordinal);
        foreach ((string name, YamlScalarNode key, YamlNode value) in Entries(mapping, path))
        {
            if (known.Contains(name))
            {
                fields[name] = (key, value);
                continue;
            }

            string? suggestion = KeySuggestion.Nearest(name, known);
            Error(key, path, suggestion is not null ? $"unknown key \"{name}\"; did you mean \"{suggestion}\"?"
                : hint?.Invoke(name) is { } where ? $"unknown key \"{name}\"; {where}"
                : $"unknown key \"{name}\"; expected one of {string.Join(", ", known)}");
        }

        return fields;
    }

    /// <summary>The entries of a mapping whose keys are names chosen by the author (sources, hosts, variables).</summary>
    public List<(string Name, YamlScalarNode Key, YamlNode Value)> Entries(YamlMappingNode mapping, string path)
    {
        var entries = new List<(string, YamlScalarNode, YamlNode)>(mapping.Children.Count);
        foreach ((YamlNode key, YamlNode value) in mapping.Children)
        {
            if (key is YamlScalarNode { Value: { Length: > 0 } name } scalar)
            {
                entries.Add((name, scalar, value));
            }
            else
            {
                Error(key, path, $"a key must be a non-empty name, found {Describe(key)}");
            }
        }

        return entries;
    }

    /// <summary>A string value; null (and an error when <paramref name="required"/>) when absent.</summary>
    public string? String(YamlNode node, string path, bool required = false)
    {
        if (IsNull(node))
        {
            if (required)
            {
                Error(node, path, "needs a value");
            }

            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? "";
        }

        Error(node, path, $"expected a single value, found {Describe(node)}");
        return null;
    }

    public bool? Boolean(YamlNode node, string path)
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
    public List<(YamlNode Node, string Path)> Items(YamlNode node, string path)
    {
        var items = new List<(YamlNode, string)>();
        if (IsNull(node))
        {
            return items;
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(node, path, $"expected a list, found {Describe(node)}; write one entry per line starting with \"- \"");
            return items;
        }

        for (int i = 0; i < sequence.Children.Count; i++)
        {
            items.Add((sequence.Children[i], Index(path, i)));
        }

        return items;
    }

    /// <summary>A list of strings, each checked by <paramref name="check"/> (which returns an error or null).</summary>
    public ImmutableArray<string> StringList(YamlNode node, string path, Func<string, string?> check)
    {
        var values = ImmutableArray.CreateBuilder<string>();
        foreach ((YamlNode item, string itemPath) in Items(node, path))
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

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar when IsNull(scalar) => "nothing",
        YamlScalarNode scalar => $"\"{scalar.Value}\"",
        _ => "an alias",
    };
}
