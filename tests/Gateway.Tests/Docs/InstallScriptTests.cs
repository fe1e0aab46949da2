namespace Gateway.Tests.Docs;

/// <summary>ops/install.sh and ops/uninstall.sh: lint-clean, and a real install into a temporary root that uninstall leaves empty.</summary>
[Collection(PublishCollection.Name)]
public sealed class InstallScriptTests
{
    private static readonly string[] s_scripts = ["ops/install.sh", "ops/uninstall.sh"];

    [Fact]
    public async Task Scripts_ParseAsBash()
    {
        foreach (string script in s_scripts)
        {
            ToolResult result = await ToolRun.RunAsync("bash", ["-n", RepoFiles.PathOf(script)], TimeSpan.FromSeconds(30));
            Assert.True(result.Exit == 0, script + ": " + result);
        }
    }

    [ToolFact("shellcheck", "shellcheck")]
    public async Task Scripts_PassShellcheck()
    {
        ToolResult result = await ToolRun.RunAsync("shellcheck", [.. s_scripts.Select(RepoFiles.PathOf)], TimeSpan.FromSeconds(60));
        Assert.True(result.Exit == 0, result.ToString());
    }

    [ToolFact("useradd", "passwd", needsRoot: true)]
    public async Task Install_PublishesLinksAndCreatesUser_ThenUninstallPurgeLeavesNothing()
    {
        string root = Directory.CreateTempSubdirectory("gw-install-").FullName;
        string user = "egw-test-" + Guid.NewGuid().ToString("N")[..8];
        var environment = new Dictionary<string, string?>
        {
            ["PREFIX"] = Path.Combine(root, "opt/egress-gateway"),
            ["BIN_DIR"] = Path.Combine(root, "usr/local/bin"),
            ["UNIT_DIR"] = Path.Combine(root, "etc/systemd/system"),
            ["CONFIG_DIR"] = Path.Combine(root, "etc/egress-gateway"),
            ["STATE_DIR"] = Path.Combine(root, "var/lib/egress-gateway"),
            ["SERVICE_USER"] = user,
        };
        try
        {
            // A real framework-dependent single-file publish of both tools: minutes on a busy machine.
            ToolResult install = await ToolRun.RunAsync("bash", [RepoFiles.PathOf("ops/install.sh")], TimeSpan.FromMinutes(15), environment);
            Assert.True(install.Exit == 0, install.ToString());

            string prefix = environment["PREFIX"]!;
            string bin = environment["BIN_DIR"]!;
            foreach (string tool in (string[])["gateway", "vmm"])
            {
                Assert.Equal(Path.Combine(prefix, tool), new FileInfo(Path.Combine(bin, tool)).LinkTarget);
                Assert.True(File.GetUnixFileMode(Path.Combine(prefix, tool)).HasFlag(UnixFileMode.UserExecute), tool);
            }

            // The linked gateway runs, and the configuration it was given is valid.
            string config = Path.Combine(environment["CONFIG_DIR"]!, "gateway.yaml");
            ToolResult check = await ToolRun.RunAsync(Path.Combine(bin, "gateway"), ["policy", "check", config], TimeSpan.FromSeconds(60));
            Assert.True(check.Exit == 0, check.ToString());
            Assert.Contains(environment["STATE_DIR"]!, await File.ReadAllTextAsync(config));

            ToolResult owner = await ToolRun.RunAsync("stat", ["-c", "%U %a", environment["STATE_DIR"]!], TimeSpan.FromSeconds(10));
            Assert.Equal($"{user} 750", owner.Stdout.Trim());

            string unit = await File.ReadAllTextAsync(Path.Combine(environment["UNIT_DIR"]!, "egress-gateway.service"));
            Assert.Contains($"ExecStart={prefix}/gateway run --config {config}", unit, StringComparison.Ordinal);
            Assert.Contains($"User={user}", unit, StringComparison.Ordinal);
            if (ToolRun.Exists("systemd-analyze"))
            {
                // The installed units, with their real binaries and user, verify cleanly.
                ToolResult verify = await ToolRun.RunAsync(
                    "systemd-analyze",
                    ["verify", .. s_unitNames.Select(u => Path.Combine(environment["UNIT_DIR"]!, u))],
                    TimeSpan.FromSeconds(60));
                Assert.True(verify.Exit == 0 && verify.Stderr.Trim().Length == 0, verify.ToString());
            }

            ToolResult uninstall = await ToolRun.RunAsync("bash", [RepoFiles.PathOf("ops/uninstall.sh"), "--purge"], TimeSpan.FromMinutes(2), environment);
            Assert.True(uninstall.Exit == 0, uninstall.ToString());
            string[] left = [.. Directory.GetFileSystemEntries(root, "*", SearchOption.AllDirectories)
                .Where(p => !Directory.Exists(p) || !IsInstallDirectory(root, p))];
            Assert.True(left.Length == 0, "left behind: " + string.Join(", ", left));
            ToolResult getent = await ToolRun.RunAsync("getent", ["passwd", user], TimeSpan.FromSeconds(10));
            Assert.NotEqual(0, getent.Exit);
        }
        finally
        {
            await ToolRun.RunAsync("bash", ["-c", $"getent passwd {user} >/dev/null && userdel {user}; true"], TimeSpan.FromSeconds(30));
            Directory.Delete(root, recursive: true);
        }
    }

    private static readonly string[] s_unitNames = ["egress-gateway.service", "egress-gateway-vmm.service"];

    // Shared directories (bin, the unit directory) stay, empty, as they would on a real host.
    private static bool IsInstallDirectory(string root, string path) =>
        Path.GetRelativePath(root, path) is "usr" or "usr/local" or "usr/local/bin" or "etc" or "etc/systemd" or "etc/systemd/system" or "opt" or "var" or "var/lib";
}
