using Gateway.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Listeners;

/// <summary>Issue 5 item 6: kit files named by the config are watched; bad edits keep the last good policy.</summary>
public sealed class KitReloadTests
{
    private const string Kit = """
        schemaVersion: "1"
        kind: mixin
        name: dev-kit
        network:
          allowedDomains:
            - HOST
        """;

    [Fact]
    public async Task EditingAKitFile_SwapsThePolicy_AndABrokenEditKeepsTheLastGoodOne()
    {
        await using TestUpstream upstream = await TestUpstream.StartAsync();
        string kitDir = Directory.CreateTempSubdirectory("gw-kit-").FullName;
        string kit = Path.Combine(kitDir, "spec.yaml");
        await using GatewayUnderTest gateway = await StartWithKitAsync(kit, configured: kit);
        LivePolicy policy = gateway.Services.GetRequiredService<LivePolicy>();
        Assert.Equal(403, (await ResponseTableTests.ConnectAsync(gateway, "api.example.test", upstream.HttpPort)).Status);

        await File.WriteAllTextAsync(kit, Kit.Replace("HOST", "api.example.test", StringComparison.Ordinal));
        int allowed = await EventuallyAsync(gateway, upstream, expected: 200);
        long failuresBefore = policy.FailedReloads;
        await File.WriteAllTextAsync(kit, Kit.Replace("HOST", "\"*.com\"", StringComparison.Ordinal));
        await WaitForAsync(() => policy.FailedReloads > failuresBefore);
        int afterBrokenEdit = (await ResponseTableTests.ConnectAsync(gateway, "api.example.test", upstream.HttpPort)).Status;

        Assert.Equal(200, allowed);
        Assert.Equal(200, afterBrokenEdit);
        Directory.Delete(kitDir, recursive: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OtherFilesBesideAKit_DoNotReload_AndAnEditorsRenameOverTheKitDoes(bool kitGivenAsItsDirectory)
    {
        await using TestUpstream upstream = await TestUpstream.StartAsync();
        string kitDir = Directory.CreateTempSubdirectory("gw-kit-").FullName;
        string kit = Path.Combine(kitDir, "spec.yaml");
        await using GatewayUnderTest gateway = await StartWithKitAsync(kit, configured: kitGivenAsItsDirectory ? kitDir : kit);
        LivePolicy policy = gateway.Services.GetRequiredService<LivePolicy>();

        // A log written beside the kit (the soak did this): no reload, however often it is written.
        string log = Path.Combine(kitDir, "gateway.log");
        for (int i = 0; i < 20; i++)
        {
            await File.AppendAllTextAsync(log, $"line {i}\n");
            await Task.Delay(20);
        }

        await Task.Delay(500); // past the 100 ms debounce
        Assert.Equal(0, policy.Reloads);

        // An editor's save: a temp file renamed over the kit.
        string temp = Path.Combine(kitDir, ".spec.yaml.swp");
        await File.WriteAllTextAsync(temp, Kit.Replace("HOST", "api.example.test", StringComparison.Ordinal));
        File.Move(temp, kit, overwrite: true);
        Assert.Equal(200, await EventuallyAsync(gateway, upstream, expected: 200));
        Assert.True(policy.Reloads >= 1);
        Directory.Delete(kitDir, recursive: true);
    }

    // Writes the kit allowing only other.example.test and starts a deny-all gateway that loads it
    // from <paramref name="configured"/> (the file or its directory) for sandbox "dev".
    private static async Task<GatewayUnderTest> StartWithKitAsync(string kit, string configured)
    {
        await File.WriteAllTextAsync(kit, Kit.Replace("HOST", "other.example.test", StringComparison.Ordinal));
        return await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"]],
            config => config with
            {
                Kits = [configured],
                Sandboxes = [new Gateway.Configuration.SandboxConfig("dev", [System.Net.IPAddress.Loopback], ["dev-kit"], null)],
            });
    }

    private static async Task<int> EventuallyAsync(GatewayUnderTest gateway, TestUpstream upstream, int expected)
    {
        int status = 0;
        for (int attempt = 0; attempt < 100 && status != expected; attempt++)
        {
            await Task.Delay(100);
            status = (await ResponseTableTests.ConnectAsync(gateway, "api.example.test", upstream.HttpPort)).Status;
        }

        return status;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (int attempt = 0; attempt < 100 && !condition(); attempt++)
        {
            await Task.Delay(100);
        }

        Assert.True(condition(), "the watcher did not reload within 10 s");
    }
}
