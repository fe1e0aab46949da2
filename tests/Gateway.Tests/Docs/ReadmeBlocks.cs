using System.Text.RegularExpressions;

namespace Gateway.Tests.Docs;

/// <summary>One command of the README and, for <c>console</c> blocks, the output it shows.</summary>
internal sealed record DocCommand(int Line, string Text, IReadOnlyList<string> Expected);

/// <summary>
/// A fenced <c>sh</c> or <c>console</c> block of the README. An HTML comment on the line before
/// the fence steers the doc test: <c>&lt;!-- doc-test: skip REASON --&gt;</c> leaves the block out,
/// <c>&lt;!-- doc-test: needs COMMAND --&gt;</c> runs it only where COMMAND succeeds (a feature
/// another branch brings), and says so otherwise.
/// </summary>
internal sealed partial record DocBlock(int Line, string Language, IReadOnlyList<DocCommand> Commands, string? Skip, string? Needs)
{
    public static List<DocBlock> Parse(string markdown)
    {
        string[] lines = markdown.Split('\n');
        var blocks = new List<DocBlock>();
        for (int i = 0; i < lines.Length; i++)
        {
            string fence = lines[i].Trim();
            if (fence is not ("```sh" or "```console"))
            {
                continue;
            }

            int start = i;
            var body = new List<(int Line, string Text)>();
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
            {
                body.Add((i + 1, lines[i]));
            }

            Match steer = start > 0 ? Steering().Match(lines[start - 1]) : Match.Empty;
            string? skip = steer.Success && steer.Groups["verb"].Value == "skip" ? steer.Groups["text"].Value.Trim() : null;
            string? needs = steer.Success && steer.Groups["verb"].Value == "needs" ? steer.Groups["text"].Value.Trim() : null;
            string language = fence[3..];
            blocks.Add(new DocBlock(start + 1, language, language == "sh" ? ShellCommands(body) : ConsoleCommands(body), skip, needs));
        }

        return blocks;
    }

    // Every line a command; "\" continues it; comment-only lines are prose.
    private static List<DocCommand> ShellCommands(List<(int Line, string Text)> body)
    {
        var commands = new List<DocCommand>();
        string pending = "";
        int first = 0;
        foreach ((int line, string text) in body)
        {
            string trimmed = text.Trim();
            if (pending.Length == 0 && (trimmed.Length == 0 || trimmed.StartsWith('#')))
            {
                continue;
            }

            first = pending.Length == 0 ? line : first;
            if (trimmed.EndsWith('\\'))
            {
                pending += trimmed[..^1] + " ";
                continue;
            }

            commands.Add(new DocCommand(first, pending + trimmed, []));
            pending = "";
        }

        return commands;
    }

    // "$ " starts a command; the lines after it, up to the next one, are what it prints.
    private static List<DocCommand> ConsoleCommands(List<(int Line, string Text)> body)
    {
        var commands = new List<DocCommand>();
        int line = 0;
        string? command = null;
        var expected = new List<string>();
        foreach ((int number, string text) in body)
        {
            if (text.StartsWith("$ ", StringComparison.Ordinal))
            {
                if (command is not null)
                {
                    commands.Add(new DocCommand(line, command, Trim(expected)));
                }

                (line, command, expected) = (number, text[2..].Trim(), []);
            }
            else if (command is not null)
            {
                expected.Add(text.TrimEnd());
            }
        }

        if (command is not null)
        {
            commands.Add(new DocCommand(line, command, Trim(expected)));
        }

        return commands;
    }

    private static List<string> Trim(List<string> lines)
    {
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    [GeneratedRegex(@"^\s*<!--\s*doc-test:\s*(?<verb>skip|needs)\s+(?<text>.*?)\s*-->\s*$")]
    private static partial Regex Steering();
}
