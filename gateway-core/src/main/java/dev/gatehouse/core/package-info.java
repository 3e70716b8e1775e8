/** The Gatehouse engine. */
package dev.gatehouse.core;
