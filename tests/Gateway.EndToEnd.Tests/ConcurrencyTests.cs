namespace Gateway.EndToEnd.Tests;

public sealed class ConcurrencyTests : IDisposable
{
    private const int Writers = 8;

    private readonly StateDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task ConcurrentAllows_AgainstOneStateDirectory_AllLand()
    {
        var running = new List<RunningGateway>();
        try
        {
            for (int i = 1; i <= Writers; i++)
            {
                running.Add(_state.Start("policy", "allow", "network", $"h{i}.example.test"));
            }

            GatewayResult[] results = await Task.WhenAll(running.Select(r => r.WaitAsync()));
            Assert.All(results, r => r.AssertSuccess());
        }
        finally
        {
            running.ForEach(r => r.Dispose());
        }

        IReadOnlyList<Rule> local = await _state.LocalRulesAsync();
        Assert.Equal(
            Enumerable.Range(1, Writers).Select(i => $"h{i}.example.test"),
            local.SelectMany(r => r.Resources).Order(StringComparer.Ordinal));
        Assert.Equal(Writers, local.Select(r => r.Id).Distinct().Count());
    }
}
