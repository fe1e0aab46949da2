using Gateway.Configuration;
using Gateway.Tests.Configuration;

namespace Gateway.Tests.Docs;

/// <summary>
/// The Dockerfile cannot be built here (no Docker engine): its structure is checked instead, and
/// every path it copies from the build context must exist and not be excluded by .dockerignore.
/// </summary>
public sealed class DockerfileTests
{
    private static readonly List<(string Instruction, string Arguments)> s_instructions = Parse(RepoFiles.Read("Dockerfile"));

    [Fact]
    public void BuildsWithTheSdk_RunsOnTheAspNetRuntime()
    {
        string[] froms = [.. Arguments("FROM")];
        Assert.True(froms.Length >= 2, "multi-stage: a build stage and a runtime stage");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0 ", froms[0], StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0 ", froms[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void RuntimeStage_RunsAsANonRootUser_WithHealthcheckVolumeAndPorts()
    {
        List<(string Instruction, string Arguments)> runtime = FinalStage();
        string user = Assert.Single(runtime, i => i.Instruction == "USER").Arguments;
        Assert.DoesNotContain(user, (string[])["root", "0", "0:0"]);
        Assert.Contains("/healthz", Assert.Single(runtime, i => i.Instruction == "HEALTHCHECK").Arguments, StringComparison.Ordinal);
        Assert.Equal("/var/lib/egress-gateway", Assert.Single(runtime, i => i.Instruction == "VOLUME").Arguments);
        string[] ports = Assert.Single(runtime, i => i.Instruction == "EXPOSE").Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("3128", ports);
        Assert.Contains("9090", ports);
    }

    [Fact]
    public void EveryCopiedPath_ExistsAndIsInTheBuildContext()
    {
        string[] ignored = [.. RepoFiles.Read(".dockerignore").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];
        int copies = 0;
        foreach ((string instruction, string arguments) in s_instructions)
        {
            if (instruction != "COPY" || arguments.StartsWith("--from=", StringComparison.Ordinal))
            {
                continue;
            }

            string[] parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (string source in parts[..^1])
            {
                copies++;
                string path = RepoFiles.PathOf(source.TrimEnd('/'));
                Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY {source}: no such path in the repository");
                Assert.DoesNotContain(ignored, pattern => source.StartsWith(pattern.TrimStart('/'), StringComparison.Ordinal));
            }
        }

        Assert.True(copies >= 5, "the build stage copies the project files and sources");
    }

    [Fact]
    public void PublishedProject_Exists() =>
        Assert.Contains(s_instructions, i => i.Instruction == "RUN" && i.Arguments.Contains("dotnet publish gateway/Gateway.csproj", StringComparison.Ordinal)
            && File.Exists(RepoFiles.PathOf("gateway/Gateway.csproj")));

    [Fact]
    public void ContainerEnvironment_IsAValidConfiguration()
    {
        // The ENV overrides are the container's whole configuration: they must load like a file would.
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach ((string instruction, string arguments) in FinalStage())
        {
            if (instruction == "ENV")
            {
                foreach (string pair in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    int equals = pair.IndexOf('=', StringComparison.Ordinal);
                    environment[pair[..equals]] = pair[(equals + 1)..];
                }
            }
        }

        Assert.Equal("/var/lib/egress-gateway", environment["GATEWAY_STATE_DIR"]);
        var errors = new List<string>();
        bool ok = ConfigLoader.TryLoadYaml("", "(container)", environment, ConfigTestLoader.Options, out GatewayConfig config, errors);
        Assert.True(ok, string.Join("\n", errors));
        Assert.Equal(3128, config.Listen.Forward!.Port);
    }

    private static IEnumerable<string> Arguments(string instruction) =>
        s_instructions.Where(i => i.Instruction == instruction).Select(i => i.Arguments);

    private static List<(string Instruction, string Arguments)> FinalStage()
    {
        int last = s_instructions.FindLastIndex(i => i.Instruction == "FROM");
        return s_instructions[last..];
    }

    // Instructions with continuation lines joined and comments dropped.
    private static List<(string, string)> Parse(string dockerfile)
    {
        var instructions = new List<(string, string)>();
        string pending = "";
        foreach (string raw in dockerfile.Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1].Trim() + " ";
                continue;
            }

            string whole = (pending + line).Trim();
            pending = "";
            int space = whole.IndexOf(' ', StringComparison.Ordinal);
            instructions.Add((whole[..space].ToUpperInvariant(), string.Join(' ', whole[(space + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))));
        }

        return instructions;
    }
}
