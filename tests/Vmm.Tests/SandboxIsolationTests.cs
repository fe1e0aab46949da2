using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;

namespace Vmm.Tests;

/// <summary>
/// Invariant 8 from inside a real netns sandbox, as root on the host, against a gateway that holds
/// <see cref="SandboxHost.Secret"/> in its environment and in two world-readable credential files
/// (one named by its configuration, one by a kit): nothing the sandbox runs can read the secret,
/// see the gateway's process, read its state (CA key, sandbox tokens, policy), configuration or
/// credential files, gain a capability or another namespace, or reach anything but the gateway.
/// </summary>
public sealed class SandboxIsolationTests(SandboxHost host) : IClassFixture<SandboxHost>
{
    [RootNetworkFact]
    public async Task GatewayProcess_IsNotVisible_NorItsEnvironOrMemory()
    {
        string name = host.Name("proc");
        await host.CreateAsync(name, "--kit", host.KitFile);
        int pid = host.GatewayPid;
        Assert.Contains(SandboxHost.Secret, await File.ReadAllTextAsync($"/proc/{pid}/environ"), StringComparison.Ordinal);
        string own = pid.ToString(CultureInfo.InvariantCulture);

        ToolResult environ = await host.ExecAsync(name, "cat", $"/proc/{own}/environ");
        ToolResult memory = await host.ExecAsync(name, "dd", $"if=/proc/{own}/mem", "bs=1", "count=1", "skip=4194304");
        ToolResult processes = (await host.ExecAsync(name, "sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '; echo; ls -d /proc/[0-9]*")).AssertSuccess();
        ToolResult everyEnviron = await host.ExecAsync(name, "sh", "-c", "cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n'");

        Assert.NotEqual(0, environ.ExitCode);
        Assert.NotEqual(0, memory.ExitCode);
        Assert.DoesNotContain("gateway.dll", processes.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(" run --config", processes.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("/proc/" + own + "\n", processes.Stdout + "\n", StringComparison.Ordinal);
        Assert.DoesNotContain(SandboxHost.Secret, environ.Stdout + memory.Stdout + everyEnviron.Stdout, StringComparison.Ordinal);
    }

    [RootNetworkFact]
    public async Task StateDirectory_CaKey_Tokens_Configuration_AndCredentialFiles_CannotBeRead()
    {
        string name = host.Name("files");
        await host.CreateAsync(name, "--kit", host.KitFile, "--token");
        string key = Path.Combine(host.StateDir, "ca", "egress-gateway-ca.key.pem");
        string record = Path.Combine(host.StateDir, "vmm", "sandboxes", name + ".json");
        Assert.True(File.Exists(key), key + " exists on the host");
        Assert.Contains("\"token\"", await File.ReadAllTextAsync(record), StringComparison.Ordinal);

        foreach (string user in (string[])["nobody", "root"])
        {
            string[] paths = [key, record, host.SecretFile, host.KitSecretFile, host.ConfigFile, Path.Combine(host.StateDir, "admin.sock")];
            ToolResult read = await host.VmmAsync(["exec", "--user", user, name, "--", "sh", "-c", "for f; do cat \"$f\"; done", "sh", .. paths]);
            Assert.NotEqual(0, read.ExitCode);
            Assert.DoesNotContain(SandboxHost.Secret, read.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY", read.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("token", read.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("listen:", read.Stdout, StringComparison.Ordinal);

            // The state directory is an empty tmpfs; a credential file is /dev/null (its name stays).
            ToolResult listing = (await host.VmmAsync("exec", "--user", user, name, "--", "find", host.StateDir)).AssertSuccess();
            Assert.Equal(host.StateDir + "\n", listing.Stdout);
            ToolResult grep = await host.VmmAsync("exec", "--user", user, name, "--", "grep", "-rl", SandboxHost.Secret, host.Root);
            Assert.Equal(string.Empty, grep.Stdout);
        }
    }

    [RootNetworkFact]
    public async Task Processes_RunAsNobody_WithNoCapabilities_AndNoNewPrivileges()
    {
        string name = host.Name("caps");
        await host.CreateAsync(name);

        ToolResult status = (await host.ExecAsync(name, "sh", "-c", "id -u; id -g; grep -E '^(CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status")).AssertSuccess();
        ToolResult asRoot = (await host.VmmAsync("exec", "--user", "root", name, "--", "sh", "-c", "id -u; grep -E '^(CapEff|NoNewPrivs):' /proc/self/status")).AssertSuccess();

        Assert.Equal("65534\n65534\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n", status.Stdout);
        Assert.Equal("0\nCapEff:\t0000000000000000\nNoNewPrivs:\t1\n", asRoot.Stdout);
    }

    [RootNetworkFact]
    public async Task Nsenter_Unshare_AndMount_Fail_EvenForRootInside()
    {
        string name = host.Name("ns");
        await host.CreateAsync(name);

        foreach (string user in (string[])["nobody", "root"])
        {
            // Each attempt prints its exit status; a 0 is an escape.
            const string Attempts = """
                nsenter -t 1 -m -n true; echo "nsenter-pid1 $?"
                nsenter --net=/proc/1/ns/net true; echo "nsenter-net $?"
                unshare -r true; echo "unshare-user $?"
                unshare -n true; echo "unshare-net $?"
                unshare -m true; echo "unshare-mount $?"
                mount -t tmpfs none /mnt; echo "mount-tmpfs $?"
                mount --bind / /mnt; echo "mount-bind $?"
                """;
            ToolResult attempts = (await host.VmmAsync("exec", "--user", user, name, "--", "sh", "-c", Attempts)).AssertSuccess();
            string[] lines = attempts.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(7, lines.Length);
            Assert.All(lines, line => Assert.False(line.EndsWith(" 0", StringComparison.Ordinal), $"as {user}: {line} (succeeded inside the sandbox)\n{attempts}"));
        }
    }

    [RootNetworkFact]
    public async Task HostFiles_AreReadOnly_ButTheWorkdir_IsWritable()
    {
        string name = host.Name("work");
        string workdir = Directory.CreateDirectory(Path.Combine(host.Root, "work-" + name)).FullName;
        (await Tool.RunAsync("chown", ["nobody:nogroup", workdir])).AssertSuccess();
        await host.CreateAsync(name, "--workdir", workdir);

        ToolResult written = (await host.ExecAsync(name, "sh", "-c", "pwd; echo made-inside > made.txt")).AssertSuccess();
        ToolResult etc = await host.VmmAsync("exec", "--user", "root", name, "--", "touch", "/etc/made-inside");
        ToolResult varTmp = await host.ExecAsync(name, "touch", "/var/tmp/made-inside-" + name);
        ToolResult rootOwned = await host.VmmAsync("exec", "--user", "root", name, "--", "touch", Path.Combine(host.Root, "made-inside"));

        Assert.Equal(workdir + "\n", written.Stdout);
        Assert.Equal("made-inside\n", await File.ReadAllTextAsync(Path.Combine(workdir, "made.txt")));
        Assert.Contains("Read-only file system", etc.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, varTmp.ExitCode);
        Assert.Contains("Read-only file system", rootOwned.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists("/etc/made-inside"));
        Assert.False(File.Exists("/var/tmp/made-inside-" + name));
    }

    [RootNetworkFact]
    public async Task Network_IsStillOnlyTheGateway()
    {
        string name = host.Name("net");
        JsonElement row = await host.CreateAsync(name);
        string gateway = row.GetProperty("gateway").GetString()!;
        using var probe = new ProbeListener(ProtocolType.Tcp);
        (await Tool.RunAsync("curl", ["--silent", "--max-time", "5", $"http://{gateway}:{probe.Port}/"])).AssertSuccess();

        ToolResult allowed = (await host.CurlAsync(name, $"https://{SandboxHost.AllowedHost}/")).AssertSuccess();
        ToolResult other = await host.CurlAsync(name, $"http://{gateway}:{probe.Port}/", false, "--connect-timeout", "2");
        ToolResult route = (await host.ExecAsync(name, "ip", "route")).AssertSuccess();

        Assert.Equal("hello from " + SandboxHost.AllowedHost, allowed.Stdout);
        Assert.NotEqual(0, other.ExitCode);
        Assert.StartsWith($"default via {gateway} dev eth0", route.Stdout, StringComparison.Ordinal);
    }

    [RootNetworkFact]
    public async Task Create_SaysInOneLine_WhatIsHiddenAndWhy()
    {
        string name = host.Name("note");

        ToolResult create = (await host.VmmAsync("create", name, "--kit", host.KitFile)).AssertSuccess();
        await host.VmmAsync("rm", name);

        string line = Assert.Single(create.Stderr.Split('\n'), l => l.Contains("bubblewrap", StringComparison.Ordinal));
        Assert.Contains("as nobody", line, StringComparison.Ordinal);
        Assert.Contains("hidden because they hold the gateway's secrets: " + host.StateDir, line, StringComparison.Ordinal);
        Assert.Contains(host.SecretFile, line, StringComparison.Ordinal);
        Assert.Contains(host.KitSecretFile, line, StringComparison.Ordinal);
        Assert.Contains(host.ConfigFile, line, StringComparison.Ordinal);
    }
}
