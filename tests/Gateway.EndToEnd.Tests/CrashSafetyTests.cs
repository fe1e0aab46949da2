using System.Text.Json;

namespace Gateway.EndToEnd.Tests;

public sealed class CrashSafetyTests : IDisposable
{
    private const int Iterations = 20;

    private readonly StateDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task KillingWritersAtAnyMoment_LeavesAStoreThatStillLoads()
    {
        await _state.AddAsync("allow", "before.example.test");

        // Fixed seed: kills land at many points of start-up, lock, write and rename, reproducibly.
        var random = new Random(20_251_123);
        for (int i = 0; i < Iterations; i++)
        {
            using (RunningGateway writer = _state.Start("policy", "allow", "network", $"k{i}.example.test,*.k{i}.example.test"))
            {
                await Task.Delay(random.Next(0, 400));
                writer.Kill();
                await writer.WaitAsync();
            }

            IReadOnlyList<Rule> local = await _state.LocalRulesAsync();
            Assert.Equal("before.example.test", local[0].Resources.Single());
            Assert.All(local.Skip(1), r =>
            {
                // A rule is there whole or not at all.
                Assert.Equal(2, r.Resources.Count);
                Assert.Equal("*." + r.Resources[0], r.Resources[1]);
            });
        }

        // Orphaned temporary files may stay behind; they must not hide the store or block writers.
        Assert.All(
            Directory.GetFiles(_state.Path).Select(Path.GetFileName),
            name => Assert.True(name is "policy.json" or "policy.lock" || name!.EndsWith(".tmp", StringComparison.Ordinal), name));
        using (JsonDocument.Parse(await File.ReadAllBytesAsync(_state.PolicyFile)))
        {
        }

        await _state.AddAsync("allow", "after.example.test");
        Assert.Equal("after.example.test", (await _state.LocalRulesAsync())[^1].Resources.Single());

        // The next writer, holding the lock, sweeps what killed writers left behind.
        Assert.Equal(["policy.json", "policy.lock"], Directory.GetFiles(_state.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
