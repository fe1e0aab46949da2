using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace PolicyCompiler.Yaml;

/// <summary>
/// The one YAML reader behind the gateway configuration and kit files: text in, one document's
/// root node out, every node keeping its line (the representation model, not the deserializer, so
/// each problem points at the line to fix). YamlDotNet's failures, the exceptions without a position
/// that fuzzing found included, become <see cref="YamlProblem"/> values, never a crash; the callers
/// word them for their file and check keys with <see cref="KeySuggestion"/>.
/// </summary>
public static class YamlDocumentReader
{
    private const string DuplicateKeyPrefix = "Duplicate key ";

    /// <summary>
    /// Reads <paramref name="text"/>. Returns the first document's root, or null when the text
    /// holds no document (empty or comments only) or cannot be read, the reason then being in
    /// <paramref name="problems"/>. A second document is reported and ignored.
    /// </summary>
    /// <param name="text">The YAML text.</param>
    /// <param name="allowAliases">
    /// False for files shared between people (kits from Git URLs and archives): an alias lets a small
    /// file stand for a huge document ("billion laughs"), so aliases are refused before loading.
    /// </param>
    /// <param name="problems">Receives what was wrong.</param>
    public static YamlNode? Read(string text, bool allowAliases, List<YamlProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(problems);
        var stream = new YamlStream();
        try
        {
            if (!allowAliases && FirstAlias(text) is { } alias)
            {
                problems.Add(new YamlProblem(YamlProblemKind.Alias, (int)alias.Start.Line, (int)alias.Start.Column, alias.Value.ToString()));
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

        return stream.Documents[0].RootNode;
    }

    /// <summary>An absent value: an empty plain scalar, <c>~</c> or <c>null</c> (YAML 1.2 core schema); a quoted "null" is the string.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar
        && (string.IsNullOrEmpty(scalar.Value) || scalar.Value is "~" or "null" or "Null" or "NULL");

    private static AnchorAlias? FirstAlias(string text)
    {
        var parser = new Parser(new StringReader(text));
        while (parser.MoveNext())
        {
            if (parser.Current is AnchorAlias alias)
            {
                return alias;
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
