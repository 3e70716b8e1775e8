/** Time as a dependency: {@link dev.gatehouse.core.time.Scheduler}, which tests replace with a manual one. */
package dev.gatehouse.core.time;
