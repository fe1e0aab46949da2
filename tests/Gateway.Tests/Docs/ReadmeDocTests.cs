using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Gateway.Tests.Docs;

/// <summary>
/// Every command the README shows, run in order in one shell as a reader would paste them, against
/// the real gateway the README itself publishes and starts. It runs in a network namespace of its
/// own, so the README's fixed addresses (127.0.0.1:3128, :9090) and an HTTPS upstream on :443 are
/// the test's alone; the namespace's /etc/hosts points the example hosts at that upstream, curl
/// trusts its certificate through CURL_CA_BUNDLE and the gateway through GATEWAY__TRUST__EXTRAROOTCAS__0,
/// GATEWAY__EGRESS__ALLOWCIDRS__0 lets the gateway dial loopback, and ANTHROPIC_API_KEY is the key
/// that upstream requires. Those are the only differences from a fresh machine.
/// </summary>
[Collection(PublishCollection.Name)]
public sealed partial class ReadmeDocTests(ITestOutputHelper log)
{
    private const int MaxSkippedBlocks = 3;

    [Fact]
    public void Readme_StartsWithTheTwoCommands()
    {
        DocBlock first = DocBlock.Parse(RepoFiles.Read("README.md"))[0];
        Assert.Equal(["dotnet run --project gateway -- run     # forward proxy on 127.0.0.1:3128, Balanced policy",
            "./test.sh                               # installs test prerequisites (as root) and runs every test"], first.Commands.Select(c => c.Text));
    }

    [Fact]
    public void Readme_SkipsFewBlocks_EachWithAReason()
    {
        List<DocBlock> blocks = DocBlock.Parse(RepoFiles.Read("README.md"));
        Assert.True(blocks.Sum(b => b.Commands.Count) >= 25, "the README shows the commands an operator needs");
        DocBlock[] skipped = [.. blocks.Where(b => b.Skip is not null)];
        Assert.True(skipped.Length <= MaxSkippedBlocks, $"{skipped.Length} blocks skipped; keep it to {MaxSkippedBlocks}");
        Assert.All(skipped, b => Assert.True(b.Skip!.Length > 20, $"line {b.Line}: say why the block is skipped"));
    }

    [DocNamespaceFact]
    public async Task Readme_CommandsRunAndPrintWhatItShows()
    {
        await using var sandbox = await DocNamespace.CreateAsync();
        var failures = new List<string>();
        var skipped = new List<string>();
        await using (DocShell shell = sandbox.Shell())
        {
            foreach (DocBlock block in DocBlock.Parse(RepoFiles.Read("README.md")))
            {
                if (block.Skip is not null)
                {
                    skipped.Add($"README.md:{block.Line}: {block.Skip}");
                    continue;
                }

                if (block.Needs is not null && (await shell.RunAsync(block.Needs, TimeSpan.FromMinutes(2))).Exit != 0)
                {
                    skipped.Add($"README.md:{block.Line}: `{block.Needs}` fails in this build (a feature from another branch); its {block.Commands.Count} commands wait for it");
                    continue;
                }

                foreach (DocCommand command in block.Commands)
                {
                    string text = AsRoot(command.Text);
                    TimeSpan timeout = text.Contains("dotnet ", StringComparison.Ordinal) ? TimeSpan.FromMinutes(15) : TimeSpan.FromMinutes(2);
                    (int exit, string output) = await shell.RunAsync(text, timeout);
                    log.WriteLine($"$ {text}  (exit {exit})\n{output}");
                    string? problem = command.Expected.Count > 0 ? Mismatch(command.Expected, output)
                        : exit != 0 ? $"exit {exit}" : null;
                    if (problem is not null)
                    {
                        failures.Add($"README.md:{command.Line}: `{command.Text}`: {problem}\n{output}");
                    }
                }
            }
        }

        foreach (string skip in skipped)
        {
            log.WriteLine("skipped: " + skip);
        }

        Assert.True(skipped.Count <= MaxSkippedBlocks + 3, string.Join("\n", skipped));
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    // The README writes `sudo` where a reader needs it; this test already runs as root.
    private static string AsRoot(string command) =>
        command.StartsWith("sudo ", StringComparison.Ordinal) ? command[5..] : command;

    /// <summary>Null when the output shows every expected line in order ("..." stands for any text), else the line missing.</summary>
    internal static string? Mismatch(IReadOnlyList<string> expected, string output)
    {
        string[] lines = [.. output.Split('\n').Select(Normalize)];
        int at = 0;
        foreach (string line in expected)
        {
            string wanted = Normalize(line);
            if (wanted is "" or "..." or "…")
            {
                continue;
            }

            int found = Array.FindIndex(lines, at, l => Matches(l, wanted));
            if (found < 0)
            {
                return $"expected a line like \"{line}\" (after line {at} of the output)";
            }

            at = found + 1;
        }

        return null;
    }

    private static bool Matches(string line, string pattern)
    {
        string[] parts = pattern.Split(["...", "…"], StringSplitOptions.None);
        if (!line.StartsWith(parts[0], StringComparison.Ordinal))
        {
            return false;
        }

        int position = parts[0].Length;
        for (int i = 1; i < parts.Length; i++)
        {
            int found = i == parts.Length - 1 && parts[i].Length > 0
                ? (line.EndsWith(parts[i], StringComparison.Ordinal) && line.Length - parts[i].Length >= position ? line.Length - parts[i].Length : -1)
                : line.IndexOf(parts[i], position, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            position = found + parts[i].Length;
        }

        return parts.Length > 1 || line.Length == position;
    }

    private static string Normalize(string line) => Spaces().Replace(line.Trim(), " ");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
