package org.lbctl.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LagWindowTest {
  @Test
  void percentilesCoverOnlyTheMostRecentWrites() {
    LagWindow w = new LagWindow(100);
    for (int i = 0; i < 100; i++) {
      w.record(50_000_000L); // 50 ms: pushed out below
    }
    for (int i = 1; i <= 100; i++) {
      w.record(i * 10_000L); // 0.01 .. 1.00 ms
    }
    double[] ms = w.sortedMillis();
    assertThat(ms).hasSize(100);
    assertThat(LagWindow.percentile(ms, 50)).isEqualTo(0.5);
    assertThat(LagWindow.percentile(ms, 99)).isEqualTo(0.99);
    assertThat(ms[ms.length - 1]).isEqualTo(1.0);
  }

  @Test
  void anEmptyWindowReportsZero() {
    LagWindow w = new LagWindow(8);
    w.record(2_000_000L);
    assertThat(LagWindow.percentile(w.sortedMillis(), 99)).isEqualTo(2.0);
    assertThat(LagWindow.percentile(new LagWindow(8).sortedMillis(), 99)).isZero();
  }
}
