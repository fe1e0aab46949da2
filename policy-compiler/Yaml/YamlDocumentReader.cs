using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace PolicyCompiler.Yaml;

/// <summary>
/// The one YAML reader behind the gateway configuration and kit files: text in, one document's root
/// <see cref="ConfigNode"/> out, every node keeping its origin (file, line, column, key path) so each
/// problem points at the place to fix. YamlDotNet's failures, the exceptions without a position that
/// fuzzing found included, become <see cref="YamlProblem"/> values, never a crash; callers check keys
/// with <see cref="KeySuggestion"/>.
/// </summary>
public static class YamlDocumentReader
{
    /// <summary>How deeply sections and lists may nest.</summary>
    public const int MaxDepth = 64;

    private const string DuplicateKeyPrefix = "Duplicate key ";

    /// <summary>
    /// Reads <paramref name="text"/>. Returns the first document's root, or null when the text
    /// holds no document (empty or comments only) or cannot be read, the reason then being in
    /// <paramref name="problems"/>. A second document and keys that are not names are reported,
    /// and the rest is still returned.
    /// </summary>
    /// <param name="text">The YAML text.</param>
    /// <param name="file">The file as the operator named it; every node's origin names it.</param>
    /// <param name="allowAliases">
    /// False for files shared between people (kits from Git URLs and archives): an alias lets a small
    /// file stand for a huge document ("billion laughs"), so aliases are refused before loading.
    /// </param>
    /// <param name="problems">Receives what was wrong.</param>
    public static ConfigNode? Read(string text, string file, bool allowAliases, List<YamlProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(problems);
        var stream = new YamlStream();
        try
        {
            if (Refused(text, allowAliases) is { } refused)
            {
                problems.Add(refused);
                return null;
            }

            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            string detail = StripMark(e.InnerException is YamlException inner ? inner.Message : e.Message);
            problems.Add(detail.StartsWith(DuplicateKeyPrefix, StringComparison.Ordinal)
                ? new YamlProblem(YamlProblemKind.DuplicateKey, (int)e.Start.Line, (int)e.Start.Column, detail[DuplicateKeyPrefix.Length..])
                : new YamlProblem(YamlProblemKind.Syntax, (int)e.Start.Line, (int)e.Start.Column, detail));
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 18 throws these, with no position, on some broken flow collections and keys.
            problems.Add(new YamlProblem(YamlProblemKind.Unterminated, 0, 0, e.Message));
            return null;
        }

        if (stream.Documents.Count == 0)
        {
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            Mark second = stream.Documents[1].RootNode.Start;
            problems.Add(new YamlProblem(YamlProblemKind.ExtraDocument, (int)second.Line, (int)second.Column, "---"));
        }

        return Convert(stream.Documents[0].RootNode, file, "", problems);
    }

    // An alias resolves to the node it names, so each place it is used gets nodes of its own, with
    // that place's key path (and an environment override on one never changes the other).
    private static ConfigNode Convert(YamlNode yaml, string file, string keyPath, List<YamlProblem> problems)
    {
        ConfigOrigin origin = Origin(yaml.Start, file, keyPath);
        switch (yaml)
        {
            case YamlScalarNode scalar:
                return IsNull(scalar) ? ConfigNode.Null(origin) : ConfigNode.Scalar(scalar.Value ?? "", origin);

            case YamlSequenceNode sequence:
                ConfigNode list = ConfigNode.Sequence(origin);
                for (int i = 0; i < sequence.Children.Count; i++)
                {
                    list.Items.Add(Convert(sequence.Children[i], file, YamlKeyPath.Index(keyPath, i), problems));
                }

                return list;

            case YamlMappingNode mapping:
                ConfigNode map = ConfigNode.Mapping(origin);
                foreach ((YamlNode key, YamlNode value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { Length: > 0 } name })
                    {
                        problems.Add(new YamlProblem(YamlProblemKind.KeyNotAName, (int)key.Start.Line, (int)key.Start.Column, Describe(key)));
                        continue;
                    }

                    string childPath = YamlKeyPath.Child(keyPath, name);
                    map.Entries.Add(new ConfigEntry(name, Origin(key.Start, file, childPath), Convert(value, file, childPath, problems)));
                }

                return map;

            default:
                return ConfigNode.Null(origin);
        }
    }

    private static ConfigOrigin Origin(Mark mark, string file, string keyPath) =>
        ConfigOrigin.Yaml(file, (int)mark.Line, (int)mark.Column, keyPath);

    private static string Describe(YamlNode key) => key switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ => "nothing",
    };

    /// <summary>An absent value: an empty plain scalar, <c>~</c> or <c>null</c> (YAML 1.2 core schema); a quoted "null" is the string.</summary>
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar
        && (string.IsNullOrEmpty(scalar.Value) || scalar.Value is "~" or "null" or "Null" or "NULL");

    // One pass over the parser's events before anything is built. YamlDotNet's loader, and the
    // conversion above, recurse once per level: a few kilobytes of "[[[[…" would overflow the stack
    // and end the process, which no catch can stop. No configuration or kit is nested this deep.
    private static YamlProblem? Refused(string text, bool allowAliases)
    {
        var parser = new Parser(new StringReader(text));
        int depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case AnchorAlias alias when !allowAliases:
                    return new YamlProblem(YamlProblemKind.Alias, (int)alias.Start.Line, (int)alias.Start.Column, alias.Value.ToString());
                case MappingStart or SequenceStart when ++depth > MaxDepth:
                    return new YamlProblem(YamlProblemKind.TooDeep, (int)parser.Current.Start.Line, (int)parser.Current.Start.Column, MaxDepth.ToString(CultureInfo.InvariantCulture));
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }
        }

        return null;
    }

    // YamlDotNet leads its messages with "(Line: 3, Col: 1, Idx: 20) - (…): "; the line is reported apart.
    private static string StripMark(string message)
    {
        if (message.StartsWith('('))
        {
            int end = message.IndexOf("): ", StringComparison.Ordinal);
            if (end >= 0)
            {
                return message[(end + 3)..];
            }
        }

        return message;
    }
}
