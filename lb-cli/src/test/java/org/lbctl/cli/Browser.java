package org.lbctl.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium, headless, driven through its chromedriver. Screenshots go to {@code
 * target/screenshots/<test>/}, kept as the run's artifacts.
 */
final class Browser implements AutoCloseable {
  private static final Path CHROMIUM = Path.of("/usr/lib/chromium/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private final ChromeDriver driver;
  private final Path shots;
  private int shot;

  private Browser(ChromeDriver driver, Path shots) {
    this.driver = driver;
    this.shots = shots;
  }

  static Browser start(String test) throws IOException {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
    // The node's certificate is self-signed; what is tested is the UI, not the trust chain.
    options.setAcceptInsecureCerts(true);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .withLogFile(new File("target/chromedriver-" + test + ".log"))
            .build();
    ChromeDriver d = new ChromeDriver(service, options);
    d.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    Path shots = Files.createDirectories(Path.of("target", "screenshots", test));
    return new Browser(d, shots);
  }

  WebDriver driver() {
    return driver;
  }

  void open(String url) {
    driver.get(url);
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  /** The element's attribute, or null when the element is not on the page (yet). */
  String attribute(String css, String name) {
    return fresh(
        () -> {
          var found = driver.findElements(By.cssSelector(css));
          return found.isEmpty() ? null : found.get(0).getAttribute(name);
        });
  }

  String text(String css) {
    return fresh(
        () -> {
          var found = driver.findElements(By.cssSelector(css));
          return found.isEmpty() ? "" : found.get(0).getText();
        });
  }

  /**
   * The UI redraws its tables every 2 s: an element found just before a redraw is gone when read.
   * Such a read is done again on the new element.
   */
  private static String fresh(java.util.function.Supplier<String> read) {
    for (int attempt = 1; ; attempt++) {
      try {
        return read.get();
      } catch (org.openqa.selenium.StaleElementReferenceException e) {
        if (attempt == 5) {
          throw e;
        }
      }
    }
  }

  /** Clicks an element of a table the UI redraws: found again if it went stale. */
  void click(String css) {
    fresh(
        () -> {
          driver.findElement(By.cssSelector(css)).click();
          return "";
        });
  }

  void acceptConfirm() {
    driver.switchTo().alert().accept();
  }

  /** Saves what the page looks like now as NN-name.png. */
  void screenshot(String name) throws IOException {
    byte[] png = driver.getScreenshotAs(OutputType.BYTES);
    Files.write(shots.resolve(String.format("%02d-%s.png", ++shot, name)), png);
  }

  @Override
  public void close() {
    driver.quit();
  }
}
