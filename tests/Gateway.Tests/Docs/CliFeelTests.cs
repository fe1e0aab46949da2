using System.Text.Json;
using Gateway.Cli;
using Gateway.Configuration;

namespace Gateway.Tests.Docs;

/// <summary>How the CLI feels: help with examples everywhere, one-line errors with the fix, aligned tables, --json, no colour, completion.</summary>
public sealed class CliFeelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-cli-").FullName;

    public static TheoryData<string> Commands() => new(CommandPaths());

    // The command tree as the CLI itself reports it through the [suggest] directive, so a
    // command added later is held to the same standard without being listed here.
    private static List<string> CommandPaths()
    {
        var commands = new List<string>();
        var pending = new Queue<string>([""]);
        while (pending.Count > 0 && commands.Count < 100)
        {
            string path = pending.Dequeue();
            commands.Add(path);
            string line = (path + " ").TrimStart();
            (_, string output, _) = Run(null, $"[suggest:{line.Length}]", line);
            foreach (string word in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (word[0] is not ('-' or '/') && !word.Contains('[', StringComparison.Ordinal) && !IsValue(path, word))
                {
                    pending.Enqueue((path + " " + word).Trim());
                }
            }
        }

        return commands;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Help_ShowsUsageAndAnExample(string command)
    {
        (int exit, string output, _) = Run(null, [.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.Contains("Example", output, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', output);
    }

    [Fact]
    public void CommandTree_IsDiscovered() =>
        Assert.Subset(new HashSet<string>(CommandPaths()), new HashSet<string>(["", "run", "policy", "policy allow network", "policy check", "sandbox ls", "completion"]));

    [Theory]
    [InlineData("policy allow network *.com", "*.com")]
    [InlineData("policy rm network --id 00000000-0000-0000-0000-000000000000", "gateway policy ls")]
    [InlineData("policy explain exa_mple..com", "exa_mple..com")]
    [InlineData("sandbox ls --config /nonexistent/gateway.yaml", "/nonexistent/gateway.yaml")]
    public void Error_IsOneLineNamingTheProblem(string commandLine, string named)
    {
        (int exit, string output, string error) = Run(_dir, commandLine.Split(' '));
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Equal("", output);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("gateway: ", line, StringComparison.Ordinal);
        Assert.Contains(named, line, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyLs_ColumnsAlign_AndJsonHasTheSameRows()
    {
        Assert.Equal(0, Run(_dir, "policy", "allow", "network", "a.example.test,*.much-longer-name.example.test:8443").Exit);
        Assert.Equal(0, Run(_dir, "policy", "deny", "network", "b.example.test").Exit);
        (_, string table, _) = Run(_dir, "policy", "ls");
        AssertAligned(table);
        (_, string json, _) = Run(_dir, "policy", "ls", "--json");
        using JsonDocument rows = JsonDocument.Parse(json);
        Assert.Equal(table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1, rows.RootElement.GetArrayLength());
    }

    [Fact]
    public void SandboxLs_ColumnsAlign_AndJsonHasTheSameRows()
    {
        string config = Path.Combine(_dir, "gateway.yaml");
        File.WriteAllText(config, "sandboxes:\n  - { name: a, addresses: [127.0.0.2] }\n  - { name: a-much-longer-name, addresses: [127.0.0.3, \"::1\"], token: 0123456789abcdef0123456789abcdef }\n");
        (int exit, string table, string error) = Run(_dir, "sandbox", "ls", "--config", config);
        Assert.True(exit == 0, error);
        AssertAligned(table);
        (_, string json, _) = Run(_dir, "sandbox", "ls", "--config", config, "--json");
        using JsonDocument rows = JsonDocument.Parse(json);
        Assert.Equal(2, rows.RootElement.GetArrayLength());
    }

    [Theory]
    [InlineData("policy log --json")]
    [InlineData("policy explain example.com --json")]
    [InlineData("policy check --json {repo}/ops/config/gateway.yaml")]
    public void Json_IsValidJson(string commandLine)
    {
        (int exit, string output, string error) = Run(_dir, commandLine.Replace("{repo}", RepoFiles.Root, StringComparison.Ordinal).Split(' '));
        Assert.True(exit == 0, error);
        using JsonDocument document = JsonDocument.Parse(output);
        Assert.True(document.RootElement.ValueKind is JsonValueKind.Array or JsonValueKind.Object);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("1")]
    public async Task Output_HasNoEscapeCodes_OnAColourTerminal(string? noColor)
    {
        // The CLI never colours its output, so NO_COLOR holds trivially; this keeps it that way.
        var environment = new Dictionary<string, string?> { ["TERM"] = "xterm-256color", ["NO_COLOR"] = noColor, ["GATEWAY_STATE_DIR"] = _dir };
        foreach (string[] args in (string[][])[["--help"], ["policy", "ls"], ["policy", "explain", "example.com"], ["policy", "allow", "network", "*.com"]])
        {
            ToolResult result = await ToolRun.GatewayAsync(environment, args);
            Assert.DoesNotContain('\u001b', result.Output);
        }
    }

    [Fact]
    public async Task CompletionBash_CompletesCommandsAndValues()
    {
        (int exit, string script, _) = Run(null, "completion", "bash");
        Assert.Equal(0, exit);
        string bin = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;
        string wrapper = Path.Combine(bin, "gateway");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec '{ToolRun.DotnetHost}' '{RepoFiles.GatewayDll}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(_dir, "completion.bash"), script);

        Assert.Equal(["allow"], await CompleteAsync(bin, "gateway policy al"));
        Assert.Equal(["allow-all"], await CompleteAsync(bin, "gateway policy set-default allow"));
        Assert.Contains("explain", await CompleteAsync(bin, "gateway policy "));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<string[]> CompleteAsync(string bin, string line)
    {
        string[] words = line.Split(' ');
        string script = $"source '{Path.Combine(_dir, "completion.bash")}'\n"
            + $"COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; COMP_WORDS=({string.Join(' ', words.Select(w => $"'{w}'"))}); COMP_CWORD={words.Length - 1}\n"
            + "_gateway_complete; printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        ToolResult result = await ToolRun.RunAsync(
            "bash", ["-c", script], TimeSpan.FromSeconds(60), new Dictionary<string, string?> { ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH") });
        Assert.True(result.Exit == 0, result.ToString());
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    // Every column starts where its header starts, after at least one space.
    private static void AssertAligned(string table)
    {
        string[] lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 3, table);
        string header = lines[0];
        var starts = new List<int>();
        for (int i = 1; i < header.Length; i++)
        {
            if (header[i] != ' ' && header[i - 1] == ' ')
            {
                starts.Add(i);
            }
        }

        foreach (string row in lines[1..])
        {
            foreach (int start in starts)
            {
                Assert.True(row.Length > start && row[start - 1] == ' ' && row[start] != ' ', $"misaligned at column {start}:\n{table}");
            }
        }
    }

    // Values of an argument (set-default's policies, completion's shells) are not commands.
    private static bool IsValue(string path, string word) =>
        path is "policy set-default" or "completion" || word is "network" && path is "policy ls" or "policy log";

    private static (int Exit, string Out, string Error) Run(string? stateDir, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] all = stateDir is null || args.Length == 0 || args[0].StartsWith('[') ? args : ["--state-dir", stateDir, .. args];
        int exit = GatewayCli.Run(all, new CliContext
        {
            Out = output,
            Error = error,
            In = TextReader.Null,
            InteractiveInput = false,
            Environment = ConfigLoader.NoEnvironment,
        });
        return (exit, output.ToString(), error.ToString());
    }
}
